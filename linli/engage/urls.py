"""engage's screens, mounted at /engage/ by one line in linli/urls.py: the resident's pages
first, then the console's under staff/<cid>/."""

from django.urls import path

from linli.engage.views import activities, convention, notices, points, proposals, surveys, votes

app_name = "engage"

urlpatterns: list = [
    path("votes/", votes.my_votes, name="votes"),
    path("votes/<int:vote_id>/", votes.ballot, name="vote"),
    path("votes/<int:vote_id>/proxy/", votes.proxy_ballot, name="vote_proxy"),
    path("votes/ballots/<int:ballot_id>/receipt", votes.receipt, name="vote_receipt"),
    path("staff/<int:cid>/votes/", votes.console_votes, name="votes_console"),
    path("staff/<int:cid>/votes/<int:vote_id>/", votes.console_vote, name="vote_console"),
    path("staff/<int:cid>/votes/<int:vote_id>/open", votes.console_open, name="vote_open"),
    path("staff/<int:cid>/votes/<int:vote_id>/close", votes.console_close, name="vote_close"),
    path("staff/<int:cid>/votes/<int:vote_id>/paper", votes.console_paper, name="vote_paper"),
    path(
        "staff/<int:cid>/votes/<int:vote_id>/electors/<int:elector_id>/designate",
        votes.console_designate,
        name="vote_designate",
    ),
    path("staff/<int:cid>/votes/ballots/<int:ballot_id>/decide", votes.console_decide, name="vote_decide"),
    path("surveys/", surveys.my_surveys, name="surveys"),
    path("surveys/<int:survey_id>/", surveys.survey, name="survey"),
    path("activities/", activities.my_activities, name="activities"),
    path("activities/<int:activity_id>/", activities.activity, name="activity"),
    path("activities/directory/", activities.directory, name="directory"),
    path("activities/help/", activities.help_posts, name="help_posts"),
    path("activities/help/<int:help_post_id>/", activities.help_post, name="help_post"),
    path("staff/<int:cid>/surveys/", surveys.console_surveys, name="staff_surveys"),
    path("staff/<int:cid>/surveys/satisfaction/", surveys.console_satisfaction, name="staff_satisfaction"),
    path("staff/<int:cid>/surveys/<int:survey_id>/", surveys.console_survey, name="staff_survey"),
    path("staff/<int:cid>/activities/", activities.console_activities, name="staff_activities"),
    path("staff/<int:cid>/activities/<int:activity_id>/", activities.console_activity, name="staff_activity"),
    path(
        "staff/<int:cid>/activities/<int:activity_id>/check-in/",
        activities.console_check_in,
        name="staff_check_in",
    ),
    path("staff/<int:cid>/activities/directory/", activities.console_directory, name="staff_directory"),
    path("staff/<int:cid>/activities/help/", activities.console_help, name="staff_help"),
    # notices (ENG-1)
    path("notices/", notices.my_notices, name="notices"),
    path("notices/<int:notice_id>/", notices.my_notice, name="notice"),
    path("notices/<int:notice_id>/confirm", notices.my_notice_confirm, name="notice_confirm"),
    path("staff/<int:cid>/notices/", notices.console_notices, name="console_notices"),
    path("staff/<int:cid>/notices/new", notices.console_compose, name="console_compose"),
    path("staff/<int:cid>/notices/preview", notices.console_preview, name="console_preview"),
    path("staff/<int:cid>/notices/<int:notice_id>/", notices.console_notice, name="console_notice"),
    path("staff/<int:cid>/notices/<int:notice_id>/told", notices.console_told, name="console_told"),
    path("staff/<int:cid>/notices/<int:notice_id>/pin", notices.console_pin, name="console_pin"),
    # deliberation (ENG-2)
    path("proposals/", proposals.my_proposals, name="proposals"),
    path("proposals/new", proposals.proposal_new, name="proposal_new"),
    path("proposals/<int:proposal_id>/", proposals.proposal, name="proposal"),
    path("proposals/<int:proposal_id>/act", proposals.proposal_act, name="proposal_act"),
    path("staff/<int:cid>/proposals/", proposals.console_proposals, name="console_proposals"),
    path("staff/<int:cid>/proposals/<int:proposal_id>/", proposals.console_proposal, name="console_proposal"),
    path(
        "staff/<int:cid>/proposals/<int:proposal_id>/act",
        proposals.console_proposal_act,
        name="console_proposal_act",
    ),
    path("staff/<int:cid>/moderation/", proposals.console_moderation, name="console_moderation"),
    path(
        "staff/<int:cid>/moderation/<int:report_id>/dismiss",
        proposals.console_dismiss,
        name="console_dismiss",
    ),
    path("points/", points.home, name="points_home"),
    path("points/earn/", points.earn, name="points_earn"),
    path("points/catalogue/", points.catalogue, name="points_catalogue"),
    path("points/redemptions/", points.redemptions, name="points_redemptions"),
    path("convention/", convention.current, name="convention"),
    path("convention/versions/<int:convention_version_id>/", convention.version, name="convention_version"),
    path("convention/violations/", convention.my_violations, name="convention_my_violations"),
    path(
        "convention/violations/<int:violation_id>/", convention.my_violation, name="convention_my_violation"
    ),
    path("staff/<int:cid>/points/", points.console_rules, name="staff_points_rules"),
    path("staff/<int:cid>/points/volunteer/", points.console_volunteer, name="staff_points_volunteer"),
    path("staff/<int:cid>/points/garbage/", points.console_garbage, name="staff_points_garbage"),
    path("staff/<int:cid>/points/catalogue/", points.console_catalogue, name="staff_points_catalogue"),
    path("staff/<int:cid>/points/redemptions/", points.console_redemptions, name="staff_points_redemptions"),
    path("staff/<int:cid>/convention/", convention.console_versions, name="staff_convention"),
    path("staff/<int:cid>/convention/violations/", convention.console_violations, name="staff_violations"),
    path("staff/<int:cid>/convention/appeals/", convention.console_appeals, name="staff_appeals"),
]

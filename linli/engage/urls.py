"""engage's screens, mounted at /engage/ by one line in linli/urls.py: the resident's pages
first, then the console's under staff/<cid>/."""

from django.urls import path

from linli.engage.views import notices, proposals

app_name = "engage"

urlpatterns: list = [
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
]

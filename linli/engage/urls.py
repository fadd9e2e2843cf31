"""engage's screens, mounted at /engage/ by one line in linli/urls.py: the resident's pages
first, then the console's under staff/<cid>/."""

from django.urls import path

from linli.engage.views import votes

app_name = "engage"

urlpatterns: list = [
    path("votes/", votes.my_votes, name="votes"),
    path("votes/<int:vote_id>/", votes.ballot, name="vote"),
    path("votes/ballots/<int:ballot_id>/receipt", votes.receipt, name="vote_receipt"),
    path("staff/<int:cid>/votes/", votes.console_votes, name="votes_console"),
    path("staff/<int:cid>/votes/<int:vote_id>/", votes.console_vote, name="vote_console"),
    path("staff/<int:cid>/votes/<int:vote_id>/open", votes.console_open, name="vote_open"),
    path("staff/<int:cid>/votes/<int:vote_id>/close", votes.console_close, name="vote_close"),
    path("staff/<int:cid>/votes/<int:vote_id>/paper", votes.console_paper, name="vote_paper"),
    path("staff/<int:cid>/votes/ballots/<int:ballot_id>/decide", votes.console_decide, name="vote_decide"),
]

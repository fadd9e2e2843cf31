"""Accounts' screens, mounted at /staff/ by linli/urls.py (paths are a contract: an invitation
link already sent must keep working)."""

from django.urls import path

from linli.accounts import views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:uidb64>/<str:token>/", views.accept_invitation, name="invite"),
    path("communities/new/", views.new_community, name="new_community"),
    path("c/<int:cid>/team/", views.team, name="team"),
    path("c/<int:cid>/team/new/", views.new_member, name="team_new"),
    path("c/<int:cid>/team/<int:user_id>/", views.member, name="member"),
    path("c/<int:cid>/team/<int:user_id>/invite/", views.reinvite_member, name="member_invite"),
    path("c/<int:cid>/team/<int:user_id>/disable/", views.disable_member, name="member_disable"),
]

"""Access screens, mounted at /access/ by one line in linli/urls.py."""

from django.urls import path

from linli.access import views

app_name = "access"

urlpatterns = [
    path("", views.home, name="home"),
    path("open/<int:point_id>/", views.open_door, name="open"),
    path("qr/", views.my_qr, name="qr"),
    path("pin/<int:house_id>/", views.new_pin, name="new_pin"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:call_id>/<str:verb>/", views.answer_call, name="answer_call"),
    path("invite/", views.invite, name="invite"),
    path("passes/", views.my_passes, name="passes"),
    path("passes/<int:pass_id>/", views.pass_detail, name="pass"),
    path("passes/<int:pass_id>/revoke/", views.revoke_pass, name="revoke_pass"),
    path("p/<str:token>", views.shared_pass, name="shared_pass"),
    path("face/", views.face, name="face"),
    path("face/delete/", views.delete_face, name="delete_face"),
    path("household/<int:house_id>/", views.household, name="household"),
    path("grants/<int:grant_id>/revoke/", views.revoke_grant, name="revoke_grant"),
    path("care-alerts/<int:alert_id>/ack/", views.ack_alert, name="ack_alert"),
    path("c/<int:cid>/points/", views.console_points, name="console_points"),
    path(
        "c/<int:cid>/terminals/<int:terminal_id>/revoke/",
        views.console_revoke_terminal,
        name="console_revoke_terminal",
    ),
    path("c/<int:cid>/events/", views.console_events, name="console_events"),
    path("c/<int:cid>/security/<int:event_id>/ack/", views.console_ack_security, name="console_ack_security"),
    path("c/<int:cid>/grants/", views.console_grants, name="console_grants"),
    path("c/<int:cid>/visitors/", views.console_visitors, name="console_visitors"),
    path("c/<int:cid>/parking/", views.console_parking, name="console_parking"),
    path("c/<int:cid>/care/", views.console_care, name="console_care"),
    path("c/<int:cid>/gate/<int:point_id>/", views.gate_screen, name="gate_screen"),
    path("c/<int:cid>/gate/<int:point_id>/open/", views.gate_open, name="gate_open"),
]

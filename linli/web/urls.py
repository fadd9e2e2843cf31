from django.urls import path

from linli.web.views import (
    assets,
    auth,
    imports,
    prefs,
    resident,
    staff,
    staff_audit,
    staff_people,
    staff_team,
)

app_name = "web"

urlpatterns = [
    path("favicon.ico", assets.favicon, name="favicon"),
    # resident H5
    path("", resident.home, name="home"),
    path("houses/<int:house_id>/", resident.house_detail, name="house"),
    path("houses/<int:house_id>/register/", resident.register_resident, name="register_resident"),
    path("houses/<int:house_id>/members/<int:occupancy_id>/", resident.member_detail, name="member"),
    path("services/", resident.services_page, name="services"),
    path("messages/", resident.messages_page, name="messages"),
    path("messages/<int:notification_id>/open/", resident.open_message, name="open_message"),
    path("messages/read-all/", resident.read_all_messages, name="read_all_messages"),
    path("me/", resident.me, name="me"),
    path("contact/", prefs.contact, name="contact"),
    path("prefs/elderly/", prefs.elderly_mode, name="elderly_mode"),
    # sign-in
    path("login/", auth.resident_login, name="login"),
    path("login/code/", auth.resident_code, name="login_code"),
    path("staff/login/", auth.staff_login, name="staff_login"),
    path("logout/", auth.logout_view, name="logout"),
    path("staff/invite/<str:uidb64>/<str:token>/", staff_team.accept_invitation, name="staff_invite"),
    # staff console
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/switch/", staff.switch_community, name="staff_switch"),
    path("staff/communities/new/", staff_team.new_community, name="staff_new_community"),
    path("staff/c/<int:cid>/", staff.overview, name="staff_overview"),
    path("staff/c/<int:cid>/buildings/", staff.buildings, name="staff_buildings"),
    path("staff/c/<int:cid>/buildings/<int:building_id>/", staff.building, name="staff_building"),
    path("staff/c/<int:cid>/units/<int:unit_id>/", staff.unit, name="staff_unit"),
    path("staff/c/<int:cid>/houses/<int:house_id>/", staff.house, name="staff_house"),
    path(
        "staff/c/<int:cid>/houses/<int:house_id>/residents/", staff.register_at_counter, name="staff_register"
    ),
    path(
        "staff/c/<int:cid>/occupancies/<int:occupancy_id>/end/",
        staff.end_occupancy,
        name="staff_end_occupancy",
    ),
    path("staff/c/<int:cid>/people/", staff_people.people, name="staff_people"),
    path("staff/c/<int:cid>/people/<int:person_id>/", staff_people.person, name="staff_person"),
    path("staff/c/<int:cid>/people/<int:person_id>/reveal/", staff_people.reveal, name="staff_reveal"),
    path("staff/c/<int:cid>/search/", staff_people.search, name="staff_search"),
    path("staff/c/<int:cid>/vehicles/", staff_people.vehicles, name="staff_vehicles"),
    path("staff/c/<int:cid>/care/", staff_people.care, name="staff_care"),
    path("staff/c/<int:cid>/audit/", staff_audit.audit, name="staff_audit"),
    path("staff/c/<int:cid>/pii-log/", staff_audit.pii_log, name="staff_pii"),
    path("staff/c/<int:cid>/team/", staff_team.team, name="staff_team"),
    path("staff/c/<int:cid>/team/new/", staff_team.new_member, name="staff_team_new"),
    path("staff/c/<int:cid>/team/<int:user_id>/", staff_team.member, name="staff_member"),
    path(
        "staff/c/<int:cid>/team/<int:user_id>/invite/", staff_team.reinvite_member, name="staff_member_invite"
    ),
    path(
        "staff/c/<int:cid>/team/<int:user_id>/disable/",
        staff_team.disable_member,
        name="staff_member_disable",
    ),
    path("staff/c/<int:cid>/import/", imports.import_wizard, name="staff_import"),
    path("staff/c/<int:cid>/import/commit/", imports.import_commit, name="staff_import_commit"),
]

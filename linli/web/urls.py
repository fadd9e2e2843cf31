from django.urls import path

from linli.web.views import assets, auth, prefs, resident, staff

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
    path("me/notifications/", prefs.notifications, name="notifications"),
    path("contact/", prefs.contact, name="contact"),
    path("prefs/elderly/", prefs.elderly_mode, name="elderly_mode"),
    # sign-in
    path("login/", auth.resident_login, name="login"),
    path("login/code/", auth.resident_code, name="login_code"),
    path("staff/login/", auth.staff_login, name="staff_login"),
    path("logout/", auth.logout_view, name="logout"),
    # the console's own pages (each app's console pages are in its urls.py, mounted in linli/urls.py)
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/switch/", staff.switch_community, name="staff_switch"),
]

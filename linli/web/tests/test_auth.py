import pyotp

from linli.accounts.models import User
from linli.web.tests.conftest import text_of


def _with_password(user, password="s3cret-pass"):
    user.set_password(password)
    user.save()
    return password


def test_it_signs_a_resident_in_with_phone_and_sms_code_in_two_steps(
    world, browser, request_code, sms_outbox
):
    client = browser()
    step1, code = request_code(client, "138 0000 0001", HTTP_HX_REQUEST="true")
    assert step1.status_code == 200
    fragment = text_of(step1)
    assert "验证码已发送至 138****0001" in fragment and "<html" not in fragment
    assert sms_outbox[-1].phone == "13800000001"
    r = client.post(
        "/login/code/", {"phone": "13800000001", "code": code, "next": ""}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 204 and r["HX-Redirect"] == "/"
    assert "王建国" in text_of(client.get("/"))


def test_it_works_without_javascript_and_keeps_the_next_page(world, browser, request_code):
    client = browser()
    step1, code = request_code(client, "13800000001")
    page = text_of(step1)
    assert "<html" in page and 'name="code"' in page
    r = client.post(
        "/login/code/", {"phone": "13800000001", "code": code, "next": f"/houses/{world.house.id}/"}
    )
    assert r.status_code == 302 and r["Location"] == f"/houses/{world.house.id}/"


def test_it_refuses_a_wrong_code_and_an_offsite_next(world, browser, request_code):
    client = browser()
    _step1, good = request_code(client, "13800000001")
    wrong = "000000" if good != "000000" else "111111"
    r = client.post("/login/code/", {"phone": "13800000001", "code": wrong}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    assert "验证码错误或已失效" in text_of(r)
    r = client.post("/login/code/", {"phone": "13800000001", "code": good, "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_it_rejects_a_malformed_phone_with_the_service_message(world, browser, request_code):
    r, code = request_code(browser(), "12345")
    assert r.status_code == 422
    assert "手机号格式不正确" in text_of(r)
    assert code is None


def test_it_signs_staff_in_with_a_password(world, browser):
    password = _with_password(world.staff)
    client = browser()
    r = client.post("/staff/login/", {"username": "staff", "password": password})
    assert r.status_code == 302 and r["Location"] == "/staff/"
    assert client.get("/staff/", follow=True).status_code == 200


def test_it_refuses_a_wrong_password(world, browser):
    _with_password(world.staff)
    r = browser().post("/staff/login/", {"username": "staff", "password": "nope"})
    assert r.status_code == 422
    assert "用户名或密码错误" in text_of(r)


def test_it_asks_for_the_totp_code_when_two_step_is_on(world, browser):
    password = _with_password(world.admin)
    secret = pyotp.random_base32()
    User.objects.filter(pk=world.admin.pk).update(totp_secret=secret, totp_enabled=True)
    client = browser()
    r = client.post("/staff/login/", {"username": "admin_a", "password": password})
    assert r.status_code == 422 and "动态码" in text_of(r)
    r = client.post(
        "/staff/login/", {"username": "admin_a", "password": password, "totp": pyotp.TOTP(secret).now()}
    )
    assert r.status_code == 302


def test_it_logs_out_only_by_post(world, browser):
    client = browser(world.owner)
    assert client.get("/logout/").status_code == 405
    r = client.post("/logout/")
    assert r["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")
    staff = browser(world.staff)
    assert staff.post("/logout/")["Location"] == "/staff/login/"


def test_it_switches_elderly_mode_for_a_signed_in_resident(world, browser):
    client = browser(world.owner)
    r = client.post("/prefs/elderly/", {"enabled": "1", "next": "/me/"})
    assert r["Location"] == "/me/"
    world.owner.refresh_from_db()
    assert world.owner.elderly_mode is True
    page = text_of(client.get("/"))
    assert '<html lang="zh-hans" class="elderly">' in page and 'id="call-property"' in page
    client.post("/prefs/elderly/", {"enabled": "0"})
    world.owner.refresh_from_db()
    assert world.owner.elderly_mode is False


def test_it_keeps_elderly_mode_in_a_cookie_before_sign_in_and_carries_it_over(world, browser, request_code):
    client = browser()
    client.post("/prefs/elderly/", {"enabled": "1", "next": "/login/"})
    assert 'class="elderly"' in text_of(client.get("/login/"))
    _step1, code = request_code(client, "13800000003")
    client.post("/login/code/", {"phone": "13800000003", "code": code})
    world.neighbour.refresh_from_db()
    assert world.neighbour.elderly_mode is True


def test_it_ignores_an_offsite_next_after_switching(world, browser):
    r = browser().post("/prefs/elderly/", {"enabled": "1", "next": "https://evil.example/"})
    assert r["Location"] == "/"

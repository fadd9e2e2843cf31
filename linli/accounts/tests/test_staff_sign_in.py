import time

import pyotp

from linli.core.models import AuditEntry

PASSWORD = "Zhang-San-2024!"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_it_signs_staff_in_with_a_password(world, api):
    _with_password(world.staff)
    client = api()
    r = client.post("/auth/login", {"username": "staff", "password": PASSWORD})
    assert r.status_code == 200, r.content
    me = client.get("/auth/me").json()
    assert [(m["community_id"], m["role"], m["role_label"]) for m in me["memberships"]] == [
        (world.a.id, "property_manager", "物业经理")
    ]
    assert AuditEntry.objects.filter(action="sign_in", object_id=str(world.staff.id)).exists()


def test_it_does_not_tell_whether_a_username_exists(world, api):
    _with_password(world.staff)
    wrong_password = api().post("/auth/login", {"username": "staff", "password": "nope"})
    no_such_user = api().post("/auth/login", {"username": "ghost", "password": "nope"})
    world.admin.is_active = False
    _with_password(world.admin)
    deactivated = api().post("/auth/login", {"username": "admin_a", "password": PASSWORD})
    answers = {
        (r.status_code, r.json()["code"], r.json()["message"])
        for r in (wrong_password, no_such_user, deactivated)
    }
    assert answers == {(400, "invalid_credentials", "用户名或密码错误")}


def login(api, username: str, password: str, ip: str):
    return api().post("/auth/login", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_locks_a_username_out_after_five_failures_from_one_address_whether_or_not_it_exists(world, api):
    _with_password(world.staff)
    for username in ("staff", "ghost"):
        codes = [login(api, username, "nope", "10.0.0.1").json()["code"] for _ in range(5)]
        assert codes == ["invalid_credentials"] * 4 + ["locked_out"]
    r = login(api, "STAFF", PASSWORD, "10.0.0.1")
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out"
    assert 0 < int(r["Retry-After"]) <= 900
    assert "分钟" in r.json()["message"]
    # The outsider in another community is not affected by someone else's lockout.
    _with_password(world.outsider)
    assert api().post("/auth/login", {"username": "outsider", "password": PASSWORD}).status_code == 200


def test_it_does_not_let_a_stranger_elsewhere_lock_staff_out(world, api):
    _with_password(world.staff)
    codes = [login(api, "staff", "nope", "203.0.113.9").json()["code"] for _ in range(6)]
    assert codes[-2:] == ["locked_out", "locked_out"]  # the stranger locked themselves...
    assert login(api, "staff", PASSWORD, "10.0.0.1").status_code == 200  # ...not the account


def test_it_slows_a_guesser_with_many_addresses_but_lets_a_known_address_in(world, api):
    _with_password(world.staff)
    assert login(api, "staff", PASSWORD, "10.0.0.1").status_code == 200  # the office PC, known now
    for n in range(50):  # 4 guesses from each of many addresses: none of them locks itself
        login(api, "staff", "nope", f"203.0.113.{n // 4}")
    refused = login(api, "staff", PASSWORD, "198.51.100.7")  # a new address meets the ceiling
    assert (refused.status_code, refused.json()["code"]) == (429, "locked_out")
    assert login(api, "staff", PASSWORD, "10.0.0.1").status_code == 200


def test_it_locks_an_address_out_after_twenty_failures(world, api):
    _with_password(world.staff)
    for n in range(20):
        api().post("/auth/login", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.6.6.6")
    r = api().post("/auth/login", {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="10.6.6.6")
    assert r.json()["code"] == "locked_out"
    assert api().post("/auth/login", {"username": "staff", "password": PASSWORD}).status_code == 200


def test_it_clears_the_failures_of_a_username_after_a_good_sign_in(world, api):
    _with_password(world.staff)
    for _ in range(4):
        api().post("/auth/login", {"username": "staff", "password": "nope"})
    assert api().post("/auth/login", {"username": "staff", "password": PASSWORD}).status_code == 200
    assert api().post("/auth/login", {"username": "staff", "password": "nope"}).json()["code"] == (
        "invalid_credentials"
    )


def test_it_adds_a_second_step_with_an_authenticator_app(world, api):
    _with_password(world.staff)
    client = api(world.staff)
    r = client.post("/auth/totp/enable")
    assert r.status_code == 200, r.content
    secret = r.json()["secret"]
    assert r.json()["provisioning_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    assert (
        client.post("/auth/totp/confirm", {"code": "000000" if totp.now() != "000000" else "111111"}).json()[
            "code"
        ]
        == "invalid_totp"
    )
    assert client.post("/auth/totp/confirm", {"code": totp.now()}).status_code == 204
    assert client.get("/auth/me").json()["totp_enabled"] is True

    r = api().post("/auth/login", {"username": "staff", "password": PASSWORD})
    assert (r.status_code, r.json()["code"]) == (400, "totp_required")
    next_code = totp.at(time.time() + 30)  # the authenticator's next code, inside the drift window
    r = api().post("/auth/login", {"username": "staff", "password": PASSWORD, "totp": next_code})
    assert r.status_code == 200, r.content
    replay = api().post("/auth/login", {"username": "staff", "password": PASSWORD, "totp": next_code})
    assert replay.json()["code"] == "invalid_totp"
    wrong = api().post("/auth/login", {"username": "staff", "password": PASSWORD, "totp": "12345x"})
    assert wrong.json()["code"] == "invalid_totp"
    assert client.post("/auth/totp/enable").json()["code"] == "totp_already_enabled"


def test_it_counts_wrong_authenticator_codes_towards_the_lockout(world, api):
    _with_password(world.staff)
    world.staff.totp_secret = pyotp.random_base32()
    world.staff.totp_enabled = True
    world.staff.save()
    codes = [
        api().post("/auth/login", {"username": "staff", "password": PASSWORD, "totp": "99999"}).json()["code"]
        for _ in range(5)
    ]
    assert codes == ["invalid_totp"] * 4 + ["locked_out"]


def test_it_keeps_the_secret_encrypted_at_rest(world, api):
    _with_password(world.staff)
    secret = api(world.staff).post("/auth/totp/enable").json()["secret"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [world.staff.id])
        stored = cursor.fetchone()[0]
    assert secret not in stored


def test_it_needs_a_password_account_for_two_step(world, api):
    r = api(world.owner).post("/auth/totp/enable")
    assert r.status_code == 400
    assert r.json()["code"] == "password_required"
    assert api().post("/auth/totp/enable").status_code == 401

import json
from datetime import date

from linli.accounts import limits, throttle
from linli.accounts.models import SmsCode
from linli.core.crypto import blind_index
from linli.core.models import AuditEntry
from linli.registry.models import Person
from linli.testing import factories as f

PHONE = "13912345678"


def test_it_signs_a_resident_in_with_an_sms_code(world, api, sms_code, sms_outbox):
    client = api()
    code = sms_code(client, "13800000001")
    assert sms_outbox[-1].phone == "13800000001"
    assert sms_outbox[-1].text.startswith(f"您的验证码是 {code}")

    r = client.post("/auth/sms-login", {"phone": "138 0000 0001", "code": code})
    assert r.status_code == 200, r.content
    assert r.json()["user"]["id"] == world.owner.id
    assert r.json()["token"] is None
    me = client.get("/auth/me").json()
    assert me["house_ids"] == [world.house.id]
    assert me["phone"] == "138****0001"
    world.owner.refresh_from_db()
    assert world.owner.last_login is not None


def test_it_signs_in_with_a_code_sent_through_the_gateway_chain(
    world, api, sms_gateways, django_capture_on_commit_callbacks
):
    """Alibaba Cloud is down: the code reaches the phone through Tencent Cloud, and works."""
    aliyun, tencent = sms_gateways
    aliyun.down()
    client = api()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/auth/sms-code", {"phone": "13800000001"}).status_code == 202
    [sent] = tencent.sent
    assert sent["PhoneNumberSet"] == ["+8613800000001"] and sent["TemplateId"] == "1100"
    [code] = sent["TemplateParamSet"]
    r = client.post("/auth/sms-login", {"phone": "13800000001", "code": code})
    assert r.status_code == 200, r.content
    assert r.json()["user"]["id"] == world.owner.id


def test_it_answers_the_same_when_the_number_is_at_its_limit(
    db, api, sms_gateways, django_capture_on_commit_callbacks, caplog
):
    aliyun, tencent = sms_gateways
    aliyun.refuse("isv.BUSINESS_LIMIT_CONTROL")
    with django_capture_on_commit_callbacks(execute=True):
        assert api().post("/auth/sms-code", {"phone": PHONE}).status_code == 202
    assert tencent.sent == []  # not sent around the limit
    assert "139****5678" in caplog.text and "isv.BUSINESS_LIMIT_CONTROL" in caplog.text
    assert PHONE not in caplog.text


def test_it_sends_nothing_until_the_code_is_committed(
    db, api, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert api().post("/auth/sms-code", {"phone": PHONE}).status_code == 202
    assert sms_outbox == []
    assert len(callbacks) == 1


def test_it_stores_only_a_hash_of_the_code(db, api, sms_code):
    code = sms_code(api(), PHONE)
    row = SmsCode.objects.get()
    assert row.phone_bidx == blind_index("phone", PHONE)
    assert code not in row.code_hash and PHONE not in row.phone_bidx


def test_it_accepts_a_code_only_once(world, api, sms_code):
    client = api()
    code = sms_code(client, PHONE)
    assert client.post("/auth/sms-login", {"phone": PHONE, "code": code}).status_code == 200
    r = api().post("/auth/sms-login", {"phone": PHONE, "code": code})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_code"
    assert "验证码" in r.json()["message"]


def test_it_kills_a_code_after_five_wrong_guesses(world, api, sms_code):
    client = api()
    code = sms_code(client, PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert (
            client.post("/auth/sms-login", {"phone": PHONE, "code": wrong}).json()["code"] == "invalid_code"
        )
    r = client.post("/auth/sms-login", {"phone": PHONE, "code": code})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_code"


def test_it_makes_an_earlier_code_useless_once_a_new_one_is_sent(world, api, sms_code):
    client = api()
    first = sms_code(client, PHONE)
    throttle.clear(limits.SMS_SEND_PHONE_MINUTE, blind_index("phone", PHONE))  # a minute later
    second = sms_code(client, PHONE)
    if first != second:
        assert client.post("/auth/sms-login", {"phone": PHONE, "code": first}).status_code == 400
    assert client.post("/auth/sms-login", {"phone": PHONE, "code": second}).status_code == 200


def test_it_locks_a_phone_out_after_ten_failures(world, api, sms_code):
    client = api()
    for attempt in range(10):
        r = client.post("/auth/sms-login", {"phone": PHONE, "code": "000000"})
        assert r.json()["code"] == ("locked_out" if attempt == 9 else "invalid_code"), attempt
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 15 * 60
    assert r.json()["fields"]["retry_after"] == r["Retry-After"]
    assert "锁定" in r.json()["message"]

    code = sms_code(client, PHONE)  # asking for a code is still allowed ...
    r = client.post("/auth/sms-login", {"phone": PHONE, "code": code})  # ... signing in is not
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out"
    other = api()
    assert other.post("/auth/sms-login", {"phone": "13912345670", "code": "000000"}).json()["code"] == (
        "invalid_code"
    )


def test_it_does_not_let_a_stranger_elsewhere_lock_a_resident_out(world, api, sms_code):
    stranger = api()
    for _ in range(12):
        r = stranger.post("/auth/sms-login", {"phone": PHONE, "code": "000000"}, REMOTE_ADDR="203.0.113.9")
    assert r.json()["code"] == "locked_out"  # the stranger locked themselves
    client = api()
    code = sms_code(client, PHONE)
    assert (
        client.post("/auth/sms-login", {"phone": PHONE, "code": code}, REMOTE_ADDR="10.0.0.1").status_code
        == 200
    )


def test_it_rate_limits_code_requests_per_phone(db, api, sms_code, sms_outbox):
    client = api()
    sms_code(client, PHONE)
    r = client.post("/auth/sms-code", {"phone": PHONE})
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited"
    assert 55 <= int(r["Retry-After"]) <= 60
    assert len(sms_outbox) == 1


def test_it_rate_limits_code_requests_per_ip(db, api, sms_code):
    client = api()
    for n in range(20):
        sms_code(client, f"139000000{n:02d}", REMOTE_ADDR="10.1.1.1")
    r = client.post("/auth/sms-code", {"phone": "13900000099"}, REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited"
    sms_code(client, "13900000099", REMOTE_ADDR="10.1.1.2")


def test_it_refuses_a_malformed_phone(db, api):
    r = api().post("/auth/sms-code", {"phone": "12345"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_phone"


def test_it_links_people_registered_with_the_phone_at_first_sign_in(world, api, sms_code):
    mother_a = f.person(world.a, "孙阿姨", phone=PHONE)
    f.occupy(world.neighbour_house, mother_a, "family", valid_from=date(2021, 1, 1))
    mother_b = f.person(world.b, "孙阿姨", phone=PHONE)
    claimed = f.person(world.a, "别人", phone=PHONE, login=world.neighbour)

    client = api()
    r = client.post("/auth/sms-login", {"phone": PHONE, "code": sms_code(client, PHONE)})
    assert r.status_code == 200, r.content
    user_id = r.json()["user"]["id"]
    assert r.json()["user"]["display_name"] == "孙阿姨"
    assert r.json()["user"]["house_ids"] == [world.neighbour_house.id]
    assert set(Person.objects.filter(user_id=user_id).values_list("id", flat=True)) == {
        mother_a.id,
        mother_b.id,
    }
    claimed.refresh_from_db()
    assert claimed.user_id == world.neighbour.id
    linked = AuditEntry.objects.filter(action="link_login", object_type="registry.person")
    assert {(e.object_id, e.community_id) for e in linked} == {
        (str(mother_a.id), world.a.id),
        (str(mother_b.id), world.b.id),
    }


def test_it_lets_an_unregistered_phone_in_to_an_empty_home(world, api, sms_code):
    client = api()
    r = client.post("/auth/sms-login", {"phone": PHONE, "code": sms_code(client, PHONE)})
    assert r.status_code == 200
    me = client.get("/auth/me").json()
    assert me["house_ids"] == [] and me["memberships"] == []
    # The outsider's community stays invisible to the newcomer.
    assert client.get(f"/houses/{world.house_b.id}").status_code == 404


def test_it_answers_alike_for_known_and_unknown_phones(world, api, sms_code):
    known = api().post("/auth/sms-code", {"phone": "13800000001"})
    unknown = api().post("/auth/sms-code", {"phone": PHONE})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_it_returns_a_bearer_token_for_apps(world, api, sms_code):
    client = api()
    code = sms_code(client, "13800000002")
    r = client.post("/auth/sms-login", {"phone": "13800000002", "code": code, "want_token": True})
    token = r.json()["token"]
    assert token.startswith("lnl_") and r.json()["token_expires_at"]
    assert api(token=token).get("/auth/me").json()["id"] == world.tenant.id


def test_it_refuses_sign_in_forms_from_other_sites(db, api):
    client = api()
    r = client.client.post("/api/v1/auth/sms-code", {"phone": PHONE})  # an HTML form post
    assert (r.status_code, r.json()["code"]) == (415, "unsupported_media_type")
    r = client.client.post(
        "/api/v1/auth/sms-code", data=json.dumps({"phone": PHONE}), content_type="text/plain"
    )
    assert (r.status_code, r.json()["code"]) == (415, "unsupported_media_type")
    r = client.post("/auth/sms-code", {"phone": PHONE}, HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403
    assert r.json()["code"] == "cross_origin"
    assert not SmsCode.objects.exists()
    assert client.post("/auth/sms-code", {"phone": PHONE}, HTTP_ORIGIN="http://testserver").status_code == 202


def test_it_keeps_two_step_accounts_off_the_sms_path(world, api, sms_code):
    world.staff.set_phone(PHONE)
    world.staff.totp_enabled = True
    world.staff.save()
    client = api()
    r = client.post("/auth/sms-login", {"phone": PHONE, "code": sms_code(client, PHONE)})
    assert r.status_code == 403
    assert r.json()["code"] == "password_sign_in_required"

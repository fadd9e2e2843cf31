"""Signing in with WeChat from the resident H5 and the mini-program, against a fake WeChat server:
the first time a phone check binds the openid, then WeChat alone signs in; every way around the
phone check is refused."""

from urllib.parse import parse_qs, urlsplit

from django.db import connection

from linli.accounts.models import User
from linli.channels.models import WeChatIdentity
from linli.channels.services import wechat_binding
from linli.channels.tests.fake_wechat import MINI_APPID, OFFICIAL_APPID
from linli.core.crypto import blind_index

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"]) if "_auth_user_id" in client.session else None


def test_it_sends_the_resident_to_wechat_with_a_signed_state(db, wechat, browser):
    start = browser().get("/wechat/oauth/start")
    location = urlsplit(start["Location"])
    query = parse_qs(location.query)
    assert location.netloc == "open.weixin.qq.com" and location.fragment == "wechat_redirect"
    assert query["appid"] == [OFFICIAL_APPID] and query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"] == ["http://testserver/wechat/oauth/callback"]
    assert len(query["state"][0]) <= 128  # WeChat's limit


def test_first_sign_in_checks_the_phone_binds_and_next_time_goes_straight_in(
    world, browser, wechat_sign_in, phone_check, sms_outbox
):
    client = browser()
    callback = wechat_sign_in(client, OPENID)
    assert callback.status_code == 302 and callback["Location"] == "/wechat/bind"
    assert signed_in_user(client) is None  # the openid alone signs nobody in
    done = phone_check(client, "13800000001")
    assert done.status_code == 302 and done["Location"] == "/"
    assert signed_in_user(client) == world.owner
    assert "王建国" in client.get("/").content.decode()  # the owner's home, reached through the phone
    identity = WeChatIdentity.objects.get(user=world.owner)
    assert identity.app_id == OFFICIAL_APPID and identity.openid == OPENID
    with connection.cursor() as cursor:
        cursor.execute("SELECT openid FROM channels_wechatidentity")
        assert OPENID not in cursor.fetchone()[0]  # encrypted at rest

    texts = len(sms_outbox)
    again = browser()
    callback = wechat_sign_in(again, OPENID)
    assert callback.status_code == 302 and callback["Location"] == "/"
    assert signed_in_user(again) == world.owner
    assert len(sms_outbox) == texts  # no phone check the second time


def test_a_code_or_a_state_used_twice_is_refused(world, browser, wechat, wechat_sign_in):
    client = browser()
    start = client.get("/wechat/oauth/start")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    code = wechat.code_for(OPENID)
    assert client.get("/wechat/oauth/callback", {"code": code, "state": state}).status_code == 302
    # The same state again: this session's state was used up, WeChat is not even asked.
    asked = len(wechat.calls)
    replay = client.get("/wechat/oauth/callback", {"code": wechat.code_for(OPENID), "state": state})
    assert replay.status_code == 400 and "微信授权已失效" in replay.content.decode()
    assert len(wechat.calls) == asked
    # The same code under a fresh state: WeChat answers 40029 and nothing is granted.
    start = client.get("/wechat/oauth/start")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    reused = client.get("/wechat/oauth/callback", {"code": code, "state": state})
    assert reused.status_code == 400 and "微信授权已失效" in reused.content.decode()
    assert signed_in_user(client) is None


def test_a_state_from_another_session_or_forged_is_refused(world, browser, wechat):
    victim, attacker = browser(), browser()
    start = attacker.get("/wechat/oauth/start")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    victim.get("/wechat/oauth/start")
    # Login CSRF: the attacker's code and state, opened in the victim's browser.
    r = victim.get("/wechat/oauth/callback", {"code": wechat.code_for("attacker-openid"), "state": state})
    assert r.status_code == 400
    r = victim.get("/wechat/oauth/callback", {"code": wechat.code_for(OPENID), "state": "made-up"})
    assert r.status_code == 400
    assert "/sns/oauth2/access_token" not in wechat.calls


def test_the_phone_check_cannot_be_skipped(world, browser, wechat_sign_in, phone_check):
    client = browser()
    wechat_sign_in(client, OPENID)
    # A wrong code: refused, nothing bound.
    wrong = phone_check(client, "13800000001", code="000000")
    assert wrong.status_code == 422 and "验证码错误或已失效" in wrong.content.decode()
    # The bind step in a browser that never came from WeChat (no ticket in its session).
    other = browser()
    r = other.post("/wechat/bind", {"phone": "13800000001", "code": "123456"})
    assert r.status_code == 400
    assert not WeChatIdentity.objects.exists()
    assert signed_in_user(client) is None and signed_in_user(other) is None


def test_an_openid_bound_to_one_account_cannot_be_bound_to_another(
    world, browser, wechat_sign_in, phone_check
):
    first, second = browser(), browser()
    # Both reach the phone check for the same WeChat before either binds it.
    wechat_sign_in(first, OPENID)
    wechat_sign_in(second, OPENID)
    assert phone_check(first, "13800000001").status_code == 302
    taken = phone_check(second, "13800000002")
    assert taken.status_code == 422 and "该微信已绑定其他账户" in taken.content.decode()
    assert list(WeChatIdentity.objects.values_list("user", flat=True)) == [world.owner.pk]
    assert signed_in_user(second) is None


def test_an_account_with_a_second_factor_or_disabled_is_not_signed_in_by_wechat(
    world, browser, wechat_sign_in, phone_check
):
    client = browser()
    wechat_sign_in(client, OPENID)
    phone_check(client, "13800000001")
    User.objects.filter(pk=world.owner.pk).update(is_active=False)
    refused = wechat_sign_in(browser(), OPENID)
    assert refused.status_code == 403 and "该账户已停用" in refused.content.decode()


def test_unbinding_shows_the_binding_masked_and_ends_wechat_sign_in(
    world, browser, wechat_sign_in, phone_check
):
    client = browser()
    wechat_sign_in(client, OPENID)
    phone_check(client, "13800000001")
    page = client.get("/wechat/bindings/").content.decode()
    assert "oUpF****eS6o" in page and OPENID not in page
    assert "微信绑定" in client.get("/me/").content.decode()
    identity = WeChatIdentity.objects.get(user=world.owner)
    # Someone else's binding is not theirs to undo.
    assert browser(world.tenant).post(f"/wechat/bindings/{identity.pk}/unbind").status_code == 404
    r = client.post(f"/wechat/bindings/{identity.pk}/unbind")
    assert r.status_code == 302 and not WeChatIdentity.objects.exists()
    # WeChat alone no longer signs in: the phone check comes back.
    assert wechat_sign_in(browser(), OPENID)["Location"] == "/wechat/bind"


def test_erasing_the_person_erases_their_wechat(world, browser, wechat_sign_in, phone_check):
    from linli.registry.services import do_erase_person

    client = browser()
    wechat_sign_in(client, OPENID)
    phone_check(client, "13800000001")
    do_erase_person(actor=world.staff, person=world.owner_person, reason="本人申请删除")
    assert not WeChatIdentity.objects.filter(openid_bidx=blind_index("openid", OPENID)).exists()


def test_the_mini_program_binds_once_then_signs_in_with_a_token(
    world, api, wechat, sms_outbox, django_capture_on_commit_callbacks
):
    app = api()
    first = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID, MINI_APPID)})
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["bound"] is False and body["token"] is None and body["ticket_expires_in"] == 600
    # The phone check: accounts' SMS code, then the bind with the ticket.
    with django_capture_on_commit_callbacks(execute=True):
        assert app.post("/auth/sms-code", {"phone": "13800000002"}).status_code == 202
    code = sms_outbox[-1].params["code"]
    forged = app.post("/wechat/mini/bind", {"ticket": "x" * 43, "phone": "13800000002", "code": code})
    assert forged.status_code == 400 and forged.json()["code"] == "wechat_ticket_invalid"
    bound = app.post("/wechat/mini/bind", {"ticket": body["ticket"], "phone": "13800000002", "code": code})
    assert bound.status_code == 200, bound.json()
    assert bound.json()["user"]["id"] == world.tenant.pk
    assert api(token=bound.json()["token"]).get("/auth/me").json()["id"] == world.tenant.pk
    # The ticket was single use.
    again = app.post("/wechat/mini/bind", {"ticket": body["ticket"], "phone": "13800000002", "code": code})
    assert again.json()["code"] == "wechat_ticket_invalid"
    # Next time the code alone signs in, with a token.
    later = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID, MINI_APPID)}).json()
    assert later["bound"] is True and later["user"]["id"] == world.tenant.pk
    assert api(token=later["token"]).get("/auth/me").status_code == 200
    # A code used twice, or an official account's code at the mini-program: refused.
    code = wechat.code_for(OPENID, MINI_APPID)
    app.post("/wechat/mini/session", {"code": code})
    reused = app.post("/wechat/mini/session", {"code": code})
    assert reused.status_code == 400 and reused.json()["code"] == "wechat_code_invalid"
    wrong_app = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID)})
    assert wrong_app.json()["code"] == "wechat_code_invalid"


def test_the_mini_program_bind_needs_the_right_sms_code(world, api, wechat):
    app = api()
    ticket = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID, MINI_APPID)}).json()["ticket"]
    refused = app.post("/wechat/mini/bind", {"ticket": ticket, "phone": "13800000002", "code": "123456"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_code"
    assert not WeChatIdentity.objects.exists()


def test_a_client_making_up_codes_is_stopped_before_wechat_is_asked(world, api, wechat):
    app = api()
    for i in range(wechat_binding.SIGN_IN_PER_IP.max):
        made_up = app.post("/wechat/mini/session", {"code": f"0made-up-{i}"})
        assert made_up.json()["code"] == "wechat_code_invalid"
    asked = len(wechat.calls)
    stopped = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID, MINI_APPID)})
    assert (stopped.status_code, stopped.json()["code"]) == (429, "rate_limited")
    assert int(stopped["Retry-After"]) > 0 and len(wechat.calls) == asked  # WeChat not asked


def test_without_wechat_configured_its_pages_and_api_say_so(world, browser, api, settings):
    settings.LINLI_WECHAT_APPID = settings.LINLI_WECHAT_MINI_APPID = ""
    assert browser().get("/wechat/oauth/start").status_code == 404
    r = api().post("/wechat/mini/session", {"code": "abc"})
    assert r.status_code == 400 and r.json()["code"] == "wechat_not_configured"


def test_a_binding_ticket_lives_ten_minutes_and_is_pruned(world, browser, wechat_sign_in, phone_check):
    from datetime import timedelta

    from django.utils import timezone

    from linli.channels.models import WeChatBindingTicket
    from linli.channels.services.wechat_binding import do_prune_binding_tickets

    client = browser()
    wechat_sign_in(client, OPENID)
    ticket = WeChatBindingTicket.objects.get()
    assert timedelta(minutes=9) < ticket.expires_at - timezone.now() <= timedelta(minutes=10)
    WeChatBindingTicket.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    late = phone_check(client, "13800000001")
    assert late.status_code == 422 and "微信授权已失效" in late.content.decode()
    assert not WeChatIdentity.objects.exists()
    assert do_prune_binding_tickets(now=timezone.now()) == 0  # kept a day for the log
    assert do_prune_binding_tickets(now=timezone.now() + timedelta(days=1)) == 1


def test_the_api_lists_the_own_bindings_masked_and_unbinds_them(
    world, api, wechat, sms_outbox, django_capture_on_commit_callbacks
):
    app = api()
    ticket = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID, MINI_APPID)}).json()["ticket"]
    with django_capture_on_commit_callbacks(execute=True):
        app.post("/auth/sms-code", {"phone": "13800000002"})
    code = sms_outbox[-1].params["code"]
    token = app.post("/wechat/mini/bind", {"ticket": ticket, "phone": "13800000002", "code": code}).json()[
        "token"
    ]
    tenant = api(token=token)
    [binding] = tenant.get("/wechat/bindings").json()
    assert binding["app_id"] == MINI_APPID and binding["openid"] == "oUpF****eS6o"
    assert api(world.owner).get("/wechat/bindings").json() == []
    assert api(world.owner).delete(f"/wechat/bindings/{binding['id']}").status_code == 404
    assert tenant.delete(f"/wechat/bindings/{binding['id']}").status_code == 204
    again = app.post("/wechat/mini/session", {"code": wechat.code_for(OPENID, MINI_APPID)}).json()
    assert again["bound"] is False

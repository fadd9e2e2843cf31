from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import ApiToken, hash_token
from linli.core.models import AuditEntry


def _issue(api, user, name="巡检App", **extra):
    r = api(user).post("/auth/tokens", {"name": name, **extra})
    assert r.status_code == 201, r.content
    return r.json()


def test_it_issues_a_token_shown_once_and_stores_only_its_hash(world, api):
    body = _issue(api, world.technician)
    raw = body["token"]
    assert raw.startswith("lnl_") and body["prefix"] == raw[:12]
    row = ApiToken.objects.get(pk=body["id"])
    assert row.key_hash == hash_token(raw) and raw not in row.key_hash
    listed = api(world.technician).get("/auth/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert AuditEntry.objects.filter(object_type="accounts.apitoken", action="create").count() == 1


def test_it_signs_requests_in_with_a_token(world, api):
    raw = _issue(api, world.technician)["token"]
    r = api(token=raw).get("/auth/me")
    assert r.status_code == 200
    assert r.json()["username"] == "tech"
    assert ApiToken.objects.get().last_used_at is not None


def test_it_refuses_a_revoked_token(world, api):
    body = _issue(api, world.technician)
    assert api(world.technician).delete(f"/auth/tokens/{body['id']}").status_code == 204
    r = api(token=body["token"]).get("/auth/me")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"
    assert api(world.technician).get("/auth/tokens").json() == []


def test_it_refuses_an_expired_token(world, api):
    body = _issue(api, world.technician, expires_in_days=1)
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = api(token=body["token"]).get("/auth/me")
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")


def test_it_refuses_a_malformed_token_even_beside_a_session(world, api):
    for bad in ("garbage", "lnl_" + "x" * 200, "lnl_unknown", ""):
        client = api(world.owner)
        r = client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {bad}")
        assert (r.status_code, r.json()["code"]) == (401, "not_authenticated"), bad


def test_it_refuses_a_token_of_a_deactivated_user(world, api):
    raw = _issue(api, world.technician)["token"]
    world.technician.is_active = False
    world.technician.save()
    assert api(token=raw).get("/auth/me").status_code == 401


def test_it_keeps_tokens_private_to_their_owner(world, api):
    body = _issue(api, world.owner)
    assert api(world.outsider).get("/auth/tokens").json() == []
    r = api(world.outsider).delete(f"/auth/tokens/{body['id']}")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert api(world.operator).delete(f"/auth/tokens/{body['id']}").status_code == 404
    assert api(token=body["token"]).get("/auth/me").status_code == 200


def test_it_bounds_the_lifetime_of_a_token(world, api):
    for days in (0, 366):
        r = api(world.owner).post("/auth/tokens", {"name": "app", "expires_in_days": days})
        assert (r.status_code, r.json()["code"]) == (400, "invalid_expiry")
    r = api(world.owner).post("/auth/tokens", {"name": "  "})
    assert r.json()["code"] == "invalid_name"


def test_it_signs_out_a_token_by_revoking_it(world, api):
    raw = _issue(api, world.owner)["token"]
    assert api(token=raw).post("/auth/logout").status_code == 204
    assert api(token=raw).get("/auth/me").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_it_signs_out_a_session(world, api):
    client = api(world.owner)
    assert client.get("/auth/me").status_code == 200
    assert client.post("/auth/logout").status_code == 204
    assert client.get("/auth/me").status_code == 401

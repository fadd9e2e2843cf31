"""The ASGI fast path answers POST /access/decide exactly as the Ninja route does."""

import json

import pytest

from linli.access import services
from linli.access.decide.asgi import TerminalFastPath
from linli.access.models import AccessEvent
from linli.testing.asgi import call, served_edge


@pytest.fixture
def fast():
    with served_edge() as edge:
        app = TerminalFastPath(edge, threads=1)  # around the edge, as linli.asgi puts it
        yield app
        app.close()


def decide(app, token, payload, **headers):
    heads = [("authorization", f"Bearer {token}"), ("content-type", "application/json"), *headers.items()]
    status, head, body = call(app, "/api/v1/access/decide", json.dumps(payload).encode(), heads)
    return status, head, json.loads(body)


@pytest.mark.django_db(transaction=True)
def test_it_answers_like_the_ninja_route(world, site, api, fast):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="FA570001")
    token = site.token("door")
    for card in ("FA570001", "FA57FFFF"):
        status, head, body = decide(fast, token, {"method": "card", "card": card})
        ninja = api(token=token).post("/access/decide", {"method": "card", "card": card}).json()
        assert status == 200 and "decide;dur=" in head["server-timing"] and head["x-request-id"]
        assert {k: v for k, v in body.items() if k != "event"} == {
            k: v for k, v in ninja.items() if k != "event"
        }
    assert AccessEvent.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_it_refuses_like_the_ninja_route(world, site, api, fast):
    status, _head, body = decide(fast, "lnt_nope", {"method": "card", "card": "1234"})
    assert (status, body["code"]) == (401, "not_authenticated")
    status, _head, body = decide(
        fast, site.token("door"), {"method": "card", "card": "12", "point": site.gate.id}
    )
    assert (status, body["code"]) == (403, "wrong_point")
    status, _head, body = decide(fast, site.token("door"), {"card": "1234"})
    assert (status, body["code"], body["fields"]) == (422, "invalid_input", {"method": "必填"})
    api(world.admin).post(f"/access/terminals/{site.terminal('door').id}/revoke")
    status, _head, body = decide(fast, site.token("door"), {"method": "card", "card": "1234"})
    assert (status, body["code"]) == (401, "terminal_revoked")
    status, _head, body = decide(
        fast, site.token("gate"), {"method": "card", "card": "1234"}, **{"accept-language": "en"}
    )
    assert body["reason"] == "unknown_credential"


@pytest.mark.django_db(transaction=True)
def test_it_leaves_every_other_request_to_django(world, fast):
    status, _head, body = call(fast, "/api/v1/health", method="GET")
    assert status == 200 and json.loads(body)["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_rights_whose_source_ended_like_the_ninja_route(world, site, api, fast):
    """Issue 6: an ended lease ends the tenant's pass and card on the fast path too."""
    services.do_issue_card(actor=world.front_desk, person=world.tenant_person, number="FA570002")
    issued = api(world.tenant).post(
        f"/access/houses/{world.house.id}/passes", {"visitor_name": "客", "max_uses": 9}
    )
    api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    for token, payload, reason in (
        (site.token("gate"), {"method": "qr", "qr": issued.json()["token"]}, "pass_host_left"),
        (site.token("door"), {"method": "card", "card": "FA570002"}, "source_ended"),
    ):
        _status, _head, body = decide(fast, token, payload)
        ninja = api(token=token).post("/access/decide", payload).json()
        assert body["reason"] == ninja["reason"] == reason and body["allow"] is False

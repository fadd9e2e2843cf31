"""Open311 GeoReport v2 (WO-7) as an outside client calls it: services and their definitions in
JSON and XML, a request POSTed with a community's key and dispatched like any other, its token,
searches, the open/closed mapping, and every refusal, which writes nothing."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.testing import workorders as wo
from linli.workorders.models import ApiKey, Request
from linli.workorders.services import flow, setup
from linli.workorders.services.open311_keys import do_create_api_key, do_revoke_api_key

BASE = "/open311/v2"


@pytest.fixture
def crew(world):
    return wo.crew(world)


@pytest.fixture
def key(world, crew):
    return do_create_api_key(actor=world.admin, community_id=world.a.id, name="市民热线")[1]


def _get(path: str, **params):
    return Client().get(f"{BASE}/{path}", params)


def _post(world, key: str | None, **fields):
    data = {"jurisdiction_id": world.a.code, "service_code": "leak", "description": "路灯下水管漏水"}
    data["address_string"] = "1号楼东侧"
    data.update(fields)
    if key is not None:
        data["api_key"] = key
    return Client().post(f"{BASE}/requests.json", {k: v for k, v in data.items() if v is not None})


def _xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def _shape(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


# --- services -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lists_the_public_services_of_the_jurisdiction_in_json_and_xml(world, crew):
    r = _get("services.json", jurisdiction_id=world.a.code)
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    assert [s["service_code"] for s in r.json()] == ["leak", "noise"]  # fire-lane is not public
    assert r.json()[0] == {
        "service_code": "leak",
        "service_name": "水管漏水",
        "description": "",
        "metadata": True,
        "type": "realtime",
        "keywords": "repair,plumbing",
        "group": "报修",
    }
    assert r.json()[1]["metadata"] is False

    root = _xml(_get("services.xml", jurisdiction_id=world.a.code))
    assert root.tag == "services" and _shape(root) == ["service", "service"]
    assert _shape(root[0]) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert root[0].findtext("metadata") == "true" and root[1].findtext("metadata") == "false"
    assert root[1].findtext("group") == "投诉"
    assert _get("services.json", jurisdiction_id=world.b.code).json() == []


@pytest.mark.django_db
def test_it_defines_a_service_by_its_form_fields(world, crew):
    r = _get("services/leak.json", jurisdiction_id=world.a.code)
    assert r.json() == {
        "service_code": "leak",
        "attributes": [
            {
                "variable": True,
                "code": "room",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "",
                "order": 1,
                "description": "位置",
                "values": [{"key": v, "name": v} for v in ("厨房", "卫生间", "其他")],
            }
        ],
    }
    root = _xml(_get("services/leak.xml", jurisdiction_id=world.a.code))
    assert root.tag == "service_definition" and _shape(root) == ["service_code", "attributes"]
    (attribute,) = root.find("attributes")
    assert attribute.tag == "attribute" and attribute.findtext("variable") == "true"
    values = [(v.tag, v.findtext("key"), v.findtext("name")) for v in attribute.find("values")]
    assert values == [("value", v, v) for v in ("厨房", "卫生间", "其他")]
    assert _get("services/noise.json", jurisdiction_id=world.a.code).json()["attributes"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("services.json", {}, 400),  # no jurisdiction_id
        ("services.json", {"jurisdiction_id": "nowhere"}, 404),
        ("services/fire-lane.json", {"jurisdiction_id": "a"}, 400),  # not public
        ("services/nothing.xml", {"jurisdiction_id": "a"}, 400),
    ],
)
def test_it_refuses_unknown_jurisdictions_and_services_as_the_spec_says(world, crew, path, params, status):
    r = _get(path, **params)
    assert r.status_code == status
    errors = r.json() if path.endswith("json") else None
    if errors is not None:
        assert errors[0]["code"] == status and errors[0]["description"]
    else:
        root = _xml(r)
        assert root.tag == "errors" and _shape(root[0]) == ["code", "description"]
        assert root[0].findtext("code") == str(status)


# --- posting a request ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_opens_and_dispatches_a_posted_request_and_finds_it_by_token(world, crew, key):
    r = _post(
        world,
        key,
        **{"attribute[room]": "厨房", "first_name": "小明", "last_name": "张"},
        phone="13700000007",
    )
    assert r.status_code == 200, r.content
    (reply,) = r.json()
    assert set(reply) == {"service_request_id", "token", "service_notice", "account_id"}
    order = Request.objects.get(pk=reply["service_request_id"])
    assert order.source == "open311" and order.category == crew.repair and order.answers == {"room": "厨房"}
    assert order.status == "assigned" and order.assignee == world.technician  # dispatched by itself
    assert (order.place, order.contact_name, order.contact_phone) == ("1号楼东侧", "张小明", "13700000007")
    assert ApiKey.objects.get().last_used_at is not None

    found = _get(f"tokens/{reply['token']}.json", jurisdiction_id=world.a.code)
    assert found.json() == [{"service_request_id": reply["service_request_id"], "token": reply["token"]}]
    root = _xml(_get(f"tokens/{reply['token']}.xml", jurisdiction_id=world.a.code))
    assert root.tag == "service_requests" and _shape(root[0]) == ["service_request_id", "token"]
    assert _get("tokens/0000.json", jurisdiction_id=world.a.code).status_code == 404


@pytest.mark.django_db
def test_it_answers_a_post_in_xml_and_keeps_coordinates(world, crew, key):
    data = {"api_key": key, "jurisdiction_id": "a", "service_code": "noise", "description": "夜间施工"}
    r = Client().post(f"{BASE}/requests.xml", {**data, "lat": "39.9", "long": "116.4"})
    root = _xml(r)
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert _shape(root[0]) == ["service_request_id", "token", "service_notice", "account_id"]
    shown = _get(f"requests/{root[0].findtext('service_request_id')}.json", jurisdiction_id="a").json()[0]
    assert (shown["lat"], shown["long"]) == (39.9, 116.4)


def _counts(world) -> tuple:
    return Request.objects.count(), AuditEntry.objects.filter(community_id=world.a.id).count()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "nothing"}, 400),
        ({"service_code": "fire-lane"}, 400),  # not public
        ({"service_code": None}, 400),
        ({"jurisdiction_id": None}, 400),
        ({"jurisdiction_id": "nowhere"}, 404),
        ({"jurisdiction_id": "b"}, 403),  # A's key does not open requests in B
        ({"description": ""}, 400),
        ({"description": "漏" * 1001}, 400),
        ({"address_string": "东" * 101}, 400),
        ({"address_string": None}, 400),  # no location at all
        ({"lat": "north", "long": "1"}, 400),
        ({"address_string": None, "lat": "91", "long": "1"}, 400),
        ({"address_id": "999999"}, 400),
        ({"attribute[room]": "阳台"}, 400),  # not among the choices
        ({"attribute[floor]": "3"}, 400),  # no such attribute
        ({"email": "not-an-email"}, 400),
        ({"phone": "call me"}, 400),
        ({"first_name": "名" * 41}, 400),
        ({"description": "漏水\x00"}, 400),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(world, crew, key, fields, status):
    before = _counts(world)
    r = _post(world, key, **fields)
    assert r.status_code == status, r.content
    assert r.json()[0]["code"] == status and r.json()[0]["description"]
    assert _counts(world) == before
    assert ApiKey.objects.get().last_used_at is None


@pytest.mark.django_db
def test_it_refuses_a_missing_wrong_or_revoked_key_with_403(world, crew, key):
    before = _counts(world)
    for raw in (None, "", "o311_guessed", key + "x"):
        r = _post(world, raw)
        assert r.status_code == 403 and r.json()[0]["code"] == 403, raw
    do_revoke_api_key(actor=world.admin, key_id=ApiKey.objects.get().pk)
    revoked_before = _counts(world)
    r = _post(world, key)
    assert r.status_code == 403 and "吊销" in r.json()[0]["description"]
    assert _counts(world) == revoked_before and revoked_before[0] == before[0]
    xml = Client().post(f"{BASE}/requests.xml", {"jurisdiction_id": "a"})
    assert xml.status_code == 403 and _xml(xml)[0].findtext("code") == "403"


# --- reading requests ------------------------------------------------------------------------------


def _open(world, key, **fields) -> Request:
    r = _post(world, key, **fields)
    assert r.status_code == 200, r.content
    return Request.objects.get(pk=r.json()[0]["service_request_id"])


@pytest.mark.django_db
def test_it_maps_statuses_to_open_and_closed_with_the_latest_step_as_notes(world, crew, key):
    order = _open(world, key)
    shown = _get(f"requests/{order.pk}.json", jurisdiction_id="a").json()[0]
    assert (shown["status"], shown["status_notes"]) == ("open", "已派单")
    assert shown["agency_responsible"] == "维修班" and shown["address"] == "1号楼东侧"
    assert shown["expected_datetime"] == timezone.localtime(order.resolve_due).isoformat(timespec="seconds")

    for action in ("start", "complete"):
        order = flow.do_transition(actor=world.technician, request=order, action=action, reason="已更换水管")
    shown = _get(f"requests/{order.pk}.json", jurisdiction_id="a").json()[0]
    # A handler's own notes stay inside (they may name the household); only the reasons given
    # to the public (rejected, withdrawn) are published.
    assert (shown["status"], shown["status_notes"]) == ("closed", "已完成")

    setup.do_update_settings(actor=world.admin, community_id=world.a.id, dispatch_mode="manual")
    noise = _open(world, key, service_code="noise")  # left for the desk: no team yet
    assert (
        _get(f"requests/{noise.pk}.json", jurisdiction_id="a").json()[0]["agency_responsible"] == "幸福里小区"
    )
    flow.do_transition(actor=world.staff, request=noise, action="reject", reason="不属于物业管理范围")
    shown = _get(f"requests/{noise.pk}.json", jurisdiction_id="a").json()[0]
    assert (shown["status"], shown["status_notes"]) == ("closed", "已驳回：不属于物业管理范围")

    root = _xml(_get(f"requests/{noise.pk}.xml", jurisdiction_id="a"))
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert root[0].findtext("status") == "closed" and root[0].find("media_url").text is None


@pytest.mark.django_db
def test_it_searches_requests_by_id_code_date_and_status(world, crew, key):
    leak = _open(world, key)
    setup.do_update_settings(actor=world.admin, community_id=world.a.id, dispatch_mode="manual")
    noise = _open(world, key, service_code="noise")
    flow.do_transition(actor=world.staff, request=noise, action="reject", reason="重复")
    old = _open(world, key)
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))

    def ids(**params) -> list[int]:
        r = _get("requests.json", jurisdiction_id="a", **params)
        assert r.status_code == 200, r.content
        return [int(x["service_request_id"]) for x in r.json()]

    assert ids() == [noise.pk, leak.pk]  # the last 90 days, newest first
    assert ids(service_request_id=f"{old.pk},{leak.pk}", status="closed") == [leak.pk, old.pk]
    assert ids(service_code="noise") == [noise.pk]
    assert ids(status="open") == [leak.pk] and ids(status="closed") == [noise.pk]
    assert ids(status="open,closed") == [noise.pk, leak.pk]
    since = (timezone.now() - timedelta(days=120)).isoformat()
    assert ids(start_date=since) == [noise.pk, leak.pk, old.pk]
    assert ids(end_date=(timezone.now() - timedelta(days=50)).isoformat()) == [old.pk]
    assert ids(start_date=timezone.localdate().isoformat()) == [noise.pk, leak.pk]
    assert _get("requests.json", jurisdiction_id="b").json() == []
    root = _xml(_get("requests.xml", jurisdiction_id="a"))
    assert root.tag == "service_requests" and _shape(root) == ["request", "request"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01"},
        {"start_date": "2026-01-01", "end_date": "2026-06-01"},  # wider than 90 days
        {"start_date": "2026-06-01", "end_date": "2026-01-01"},
        {"status": "pending"},
        {"service_request_id": "1,x"},
        {"service_request_id": "1" * 30},
    ],
)
def test_it_refuses_a_bad_search_with_400(world, crew, params):
    r = _get("requests.json", jurisdiction_id="a", **params)
    assert r.status_code == 400 and r.json()[0]["code"] == 400


@pytest.mark.django_db
def test_it_shows_no_contact_data_and_no_resident_report(world, crew, key):
    order = _open(
        world, key, first_name="小明", last_name="张", phone="13700000007", email="zhang@example.cn"
    )
    resident = wo.report(world, crew, "王建国家厨房漏水")
    listed = _get("requests.json", jurisdiction_id="a")
    body = listed.content.decode() + _get(f"requests/{order.pk}.xml", jurisdiction_id="a").content.decode()
    for secret in ("张小明", "13700000007", "zhang@example.cn", "王建国", "13800000001"):
        assert secret not in body
    assert [int(x["service_request_id"]) for x in listed.json()] == [order.pk]
    assert _get(f"requests/{resident.pk}.json", jurisdiction_id="a").status_code == 404
    assert _get(f"tokens/{resident.token}.json", jurisdiction_id="a").status_code == 404
    assert _get(f"requests/{order.pk}.json", jurisdiction_id="b").status_code == 404
    assert _get(f"requests/{'9' * 30}.json", jurisdiction_id="a").status_code == 404


@pytest.mark.django_db
def test_it_describes_its_endpoint_for_discovery(world):
    r = _get("discovery.json")
    (endpoint,) = r.json()["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2" and "text/xml" in endpoint["formats"]
    assert _xml(_get("discovery.xml")).find("endpoints/endpoint/type").text == "production"


# --- keys through the API --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_creates_and_revokes_keys_and_others_may_not(world, crew, api):
    admin = api(world.admin)
    r = admin.post(f"/workorders/communities/{world.a.id}/open311-keys", {"name": "市民热线"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["key"].startswith(created["prefix"]) and created["revoked_at"] is None
    assert ApiKey.objects.get(pk=created["id"]).key_hash == ApiKey.hash(created["key"])
    assert _open(world, created["key"]).source == "open311"

    for user in (world.outsider, world.front_desk, world.owner):
        assert api(user).post(f"/workorders/open311-keys/{created['id']}/revoke").status_code == 404
        made = api(user).post(f"/workorders/communities/{world.a.id}/open311-keys", {"name": "x"})
        assert made.status_code in (403, 404)
    assert ApiKey.objects.count() == 1

    revoked = admin.post(f"/workorders/open311-keys/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] and "key" not in revoked.json()
    assert admin.post(f"/workorders/open311-keys/{created['id']}/revoke").status_code == 409
    assert _post(world, created["key"]).status_code == 403

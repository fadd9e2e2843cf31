"""Inputs that broke the API (issue 6, found by schemathesis): each is refused at the edge with a
documented code and a message in the user's language, and nothing is written."""

import io
import json

import openpyxl
import pytest
from django.utils import translation
from pydantic import TypeAdapter, ValidationError

from linli.access.forms import PointForm
from linli.access.models import AccessPoint
from linli.accounts.forms import PhoneForm
from linli.core.schema_types import column
from linli.registry.models import Building, House, Organization, ParkingSpace, Person
from linli.testing import factories as f

BIG = "1180591620717411303424"  # 2**70


def raw(client, method, path, body: str, content_type="application/json", **headers):
    return getattr(client.client, method)(f"/api/v1{path}", data=body, content_type=content_type, **headers)


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["A\u0001B", "A\u0000B", "A\u007fB", "A\nB", "A\u0085B"])
def test_it_refuses_control_characters_in_a_name(world, api, name):
    before = Building.objects.count()
    r = api(world.admin).post(f"/communities/{world.a.id}/buildings", {"name": name})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert r.json()["fields"] == {"name": "不能包含控制字符"}
    assert Building.objects.count() == before  # (PostgreSQL cannot even be asked about a NUL)


def test_it_refuses_control_characters_from_a_resident_adding_family(world, api):
    body = {"name": "李\u0001小明", "relation": "family", "valid_from": "2026-01-01"}
    r = api(world.tenant).post(f"/houses/{world.house.id}/residents", body)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    assert "name" in r.json()["fields"]
    assert not Person.objects.filter(name__startswith="李").exclude(pk=world.tenant_person.pk).exists()


def test_it_refuses_control_characters_in_free_form_and_query_text(world, api):
    grant = {"zone_id": 1, "schedule": [{"days": "\u0002"}]}
    r = api(world.admin).post(f"/access/people/{world.owner_person.id}/grants", grant)
    assert (r.status_code, r.json()["fields"]) == (422, {"schedule.0.days": "不能包含控制字符"})
    r = api(world.admin).get(f"/communities/{world.a.id}/access/security-events", {"status": "open\u0000"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


def test_it_keeps_line_breaks_in_multiline_text_only(world, api):
    path = f"/people/{world.owner_person.id}/care-tags"
    body = {"kind": "elderly_alone", "consent_by": "本人", "consent_method": "书面", "note": "第一行\n第二行"}
    assert api(world.admin).post(path, body).status_code == 201
    r = api(world.admin).post(path, {**body, "note": "a\u0007b"})
    assert r.status_code == 422 and r.json()["fields"] == {"note": "不能包含控制字符"}


def test_it_exports_what_was_stored_before_the_edge_refused_it(world, api):
    person = f.person(world.a, "王\u0001五\u001f")  # written before this check existed
    f.occupy(world.neighbour_house, person, "family")
    for fmt in ("xlsx", "csv"):
        r = api(world.admin).get(f"/communities/{world.a.id}/exports/residents", {"format": fmt})
        assert r.status_code == 200, fmt
    r = api(world.admin).get(f"/communities/{world.a.id}/exports/residents", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    names = {cell.value for row in sheet.iter_rows() for cell in row}
    assert "王五" in names


@translation.override("zh-hans")
def test_it_refuses_control_characters_in_console_and_h5_forms():
    phone = PhoneForm(data={"phone": "1380000\u00030001"})
    assert not phone.is_valid() and phone.errors["phone"] == ["不能包含控制字符"]
    point = PointForm(data={"name": "东\u0001门", "kind": "community_gate", "direction": "both"})
    assert not point.is_valid() and point.errors["name"] == ["不能包含控制字符"]
    assert PointForm(data={"name": "东门", "kind": "community_gate", "direction": "both"}).is_valid()


# --- null, numbers, lengths and choices ----------------------------------------------------------


def test_it_refuses_null_in_patch_fields(world, api):
    r = api(world.admin).patch(f"/houses/{world.house.id}", {"number": None})
    assert (r.status_code, r.json()["fields"]) == (422, {"number": "不能为空值 (null)"})
    point = AccessPoint.objects.create(community=world.a, name="东门", kind="community_gate")
    r = api(world.admin).patch(f"/access/points/{point.id}", {"is_active": None})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    assert set(r.json()["fields"]) == {"is_active"}
    point.refresh_from_db()
    assert point.is_active
    house = House.objects.get(pk=world.house.pk)
    assert house.number == world.house.number


def test_it_refuses_integers_past_64_bits(world, api):
    for query in ({"building": BIG}, {"cursor": BIG}, {"community": BIG}):
        r = api(world.admin).get("/houses", query)
        assert (r.status_code, r.json()["code"]) == (422, "invalid_input"), query
    r = api(world.admin).post(f"/houses/{world.house.id}/occupancies", {"person_id": int(BIG)})
    assert r.status_code == 422 and "person_id" in r.json()["fields"]


def test_it_refuses_organisations_and_parking_spaces_longer_than_their_columns(world, api):
    client = api(world.admin)
    long = "x" * 100_000
    r = client.post(
        f"/communities/{world.a.id}/organizations", {"kind": long, "name": "n", "credit_code": long}
    )
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"kind", "credit_code"}
    assert r.json()["fields"]["credit_code"] == "最多 18 个字符"
    assert r.json()["fields"]["kind"].startswith("应为以下之一")
    r = client.post(
        f"/communities/{world.a.id}/parking-spaces", {"kind": long, "number": "1", "area_name": long}
    )
    assert r.status_code == 422 and set(r.json()["fields"]) == {"kind", "area_name"}
    assert not Organization.objects.exists() and not ParkingSpace.objects.exists()


def test_it_takes_limits_from_the_model_columns():
    credit_code = TypeAdapter(column(Organization, "credit_code"))
    assert credit_code.validate_python("9" * 18)
    with pytest.raises(ValidationError):
        credit_code.validate_python("9" * 19)
    floors = TypeAdapter(column(Building, "floors"))  # PositiveSmallIntegerField
    assert floors.validate_python(32767) == 32767
    for bad in (-1, 32768):
        with pytest.raises(ValidationError):
            floors.validate_python(bad)


# --- the body itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["42", "[null, null]", '"x"', "null", "true"])
def test_it_refuses_a_body_that_is_not_an_object(world, api, body):
    r = raw(api(world.admin), "patch", f"/houses/{world.house.id}", body)
    assert (r.status_code, r.json()["code"], r.json()["fields"]) == (
        422,
        "invalid_input",
        {"_": "应为 JSON 对象"},
    )


def test_it_refuses_numbers_for_dates(world, api):
    for value in (0, 1700000000, "0", True):
        body = {"name": "张小明", "relation": "family", "valid_from": value}
        r = api(world.owner).post(f"/houses/{world.house.id}/residents", body)
        assert r.status_code == 422 and "valid_from" in r.json()["fields"], value
    r = api(world.admin).post(
        f"/access/people/{world.owner_person.id}/grants", {"zone_id": 1, "valid_until": 0}
    )
    assert r.status_code == 422 and "valid_until" in r.json()["fields"]


@pytest.mark.parametrize("body", ["{x", "", "\xff", "NaN", "[" * 100_000])
def test_it_answers_malformed_body_in_the_users_language(world, api, body):
    path = f"/communities/{world.a.id}/buildings"
    r = raw(api(world.admin), "post", path, body.encode("latin-1") if body == "\xff" else body)
    if body == "":  # no body at all: the fields are missing
        assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
        return
    assert r.status_code == 400
    assert r.json() == {"code": "malformed_body", "message": "请求内容不是有效的 JSON", "fields": {}}
    r = raw(api(world.admin), "post", path, "{x", HTTP_ACCEPT_LANGUAGE="en")
    assert r.json()["message"] == "The request body is not valid JSON"


def test_it_refuses_json_sent_as_another_media_type_everywhere(world, api):
    body = json.dumps({"name": "9号楼"})
    for path in (f"/communities/{world.a.id}/buildings", "/auth/sms-code", "/auth/tokens"):
        for content_type in ("text/plain", "application/x-www-form-urlencoded"):
            r = raw(api(world.admin), "post", path, body, content_type=content_type)
            assert (r.status_code, r.json()["code"]) == (415, "unsupported_media_type"), (path, content_type)
    r = raw(
        api(world.admin), "post", f"/communities/{world.a.id}/buildings", body, "application/merge-patch+json"
    )
    assert r.status_code == 201
    assert Building.objects.filter(name="9号楼").count() == 1


def test_it_explains_field_errors_in_the_users_language(world, api):
    body = {"number": "x" * 21, "floor": "high", "area": -1, "type": "castle"}
    path = f"/units/{world.house.unit_id}/houses"
    zh = api(world.admin).post(path, body).json()["fields"]
    assert zh == {
        "number": "最多 20 个字符",
        "floor": "应为整数",
        "area": "应大于 0",
        "type": "应为以下之一：'residential', 'shop', 'parking', 'storage'",
    }
    en = api(world.admin).post(path, body, HTTP_ACCEPT_LANGUAGE="en").json()["fields"]
    assert en["number"] == "at most 20 characters" and en["floor"] == "should be an integer"
    assert en["type"].startswith("should be one of:")
    missing = api(world.admin).post(path, {}, HTTP_ACCEPT_LANGUAGE="en").json()["fields"]
    assert missing["number"] == "Required"


# --- no input left unbounded ---------------------------------------------------------------------


def _unbounded(spec: dict, node: dict, where: str) -> list[str]:
    """Strings without a length or a pattern against control characters, integers without a range."""
    if "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    found = []
    for option in node.get("anyOf", []) + node.get("allOf", []):
        found += _unbounded(spec, option, where)
    kind = node.get("type")
    if kind == "string" and "enum" not in node and node.get("format") not in ("binary", "uuid"):
        if node.get("format") not in ("date", "date-time", "time") and not (
            "maxLength" in node and "pattern" in node
        ):
            found.append(where)
    if kind == "integer" and not ("maximum" in node and "minimum" in node):
        found.append(where)
    for name, prop in node.get("properties", {}).items():
        found += _unbounded(spec, prop, f"{where}.{name}")
    if isinstance(node.get("items"), dict):
        found += _unbounded(spec, node["items"], f"{where}[]")
    return found


def test_it_leaves_no_request_field_unbounded(db):
    from linli.api import api as ninja_api

    spec = ninja_api.get_openapi_schema()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                if param["in"] != "path":
                    found += _unbounded(spec, param["schema"], f"{where} ?{param['name']}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(spec, media["schema"], where)
    assert found == []

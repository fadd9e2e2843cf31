"""The contract points outside clients rely on (architecture.md)."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_answers_health_without_auth():
    r = Client().get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


@pytest.mark.django_db
def test_it_publishes_openapi_and_a_docs_page_without_a_cdn():
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/houses/{house_id}" in spec["paths"]
    page = Client().get("/api/v1/docs").content.decode()
    assert "swagger" in page.lower()
    assert "cdn." not in page


def test_it_answers_with_one_error_shape(world, api):
    r = api(world.staff).post(f"/units/{world.house.unit_id}/houses", {"number": "", "floor": "x"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_input" and body["message"]
    assert set(body["fields"]) >= {"number", "floor"}


@pytest.mark.django_db
def test_it_refuses_a_malformed_token_with_401():
    for header in ("Bearer nonsense", "Bearer lnl_" + "x" * 43, "Basic abc"):
        r = Client().get("/api/v1/communities", HTTP_AUTHORIZATION=header)
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"


def test_it_speaks_english_when_asked(world, api):
    r = api(world.outsider).get(f"/houses/{world.house.id}", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"

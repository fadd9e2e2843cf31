"""Health links (SVC-2): https only, managed by staff, listed for the community's residents."""

import pytest


@pytest.mark.django_db
def test_links_are_https_and_listed_for_residents(world, api):
    path = f"/services/communities/{world.a.pk}/health-links"
    r = api(world.staff).post(path, {"name": "社区卫生服务中心", "url": "http://example.org", "note": "挂号"})
    assert r.status_code == 400 and r.json()["code"] == "https_only"
    assert (
        api(world.staff).post(path, {"name": "x", "url": "javascript:alert(1)"}).json()["code"]
        == "https_only"
    )
    r = api(world.staff).post(
        path, {"name": "社区卫生服务中心", "url": "https://example.org/book", "note": "挂号"}
    )
    assert r.status_code == 201
    assert api(world.front_desk).post(path, {"name": "x", "url": "https://example.org"}).status_code == 403
    assert [x["name"] for x in api(world.tenant).get("/services/my/health-links").json()] == [
        "社区卫生服务中心"
    ]
    assert api(world.outsider).get("/services/my/health-links").json() == []
    assert api(world.outsider).delete(f"/services/health-links/{r.json()['id']}").status_code == 404
    assert api(world.staff).delete(f"/services/health-links/{r.json()['id']}").status_code == 204
    assert api(world.tenant).get("/services/my/health-links").json() == []

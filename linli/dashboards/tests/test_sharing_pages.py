"""The console's 数据共享 page: a community admin issues a token (its key shown once), sees its
calls, and revokes it; nobody else may."""

import pytest
from django.test import Client

from linli.core.models import AuditEntry
from linli.dashboards.models import SharingToken
from linli.testing.client import ApiClient

pytestmark = pytest.mark.django_db


def page(world):
    return f"/staff/{world.a.id}/dashboards/sharing/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_issues_a_token_shown_once_and_revokes_it(world):
    client = signed_in(world.admin)
    form = {
        "name": "区城市运行管理平台",
        "datasets": ["population", "incidents"],
        "communities": [world.a.id],
        "level": "grid",
        "rate_per_minute": 30,
    }
    r = client.post(page(world), form)
    assert r.status_code == 200, r.content.decode()[:2000]
    token = SharingToken.objects.get()
    key = r.context["issued"].key
    assert key.startswith("lns_") and key in r.content.decode()
    assert (token.datasets, token.level, token.rate_per_minute) == (["incidents", "population"], "grid", 30)
    assert key not in client.get(page(world)).content.decode()  # shown once
    assert ApiClient(token=key).get("/sharing/datasets").status_code == 200
    listing = client.get(page(world)).content.decode()
    assert "区城市运行管理平台" in listing and token.prefix in listing and "成功" in listing
    r = client.post(f"{page(world)}{token.id}/revoke/")
    assert r.status_code == 302
    assert ApiClient(token=key).get("/sharing/datasets").json()["code"] == "token_revoked"
    assert AuditEntry.objects.filter(action__startswith="dashboards.sharing_token_").count() == 2
    again = client.post(f"{page(world)}{token.id}/revoke/", follow=True)
    assert "该令牌已吊销" in again.content.decode()


def test_a_bad_form_is_refused_with_nothing_issued(world):
    r = signed_in(world.admin).post(
        page(world), {"name": "", "datasets": [], "level": "grid", "rate_per_minute": 0}
    )
    assert r.status_code == 422
    assert not SharingToken.objects.exists()


def test_only_community_admins_reach_the_page(world):
    for user in (world.staff, world.grid_worker, world.front_desk, world.outsider):
        assert signed_in(user).get(page(world)).status_code == 404
    assert signed_in(world.admin).get(page(world)).status_code == 200

"""Who may look at a big screen: staff whose stats.view covers the community (a street screen
shows the street's communities they may read), or a kiosk with a screen token that opens exactly
the screen it was issued for, until it is revoked; every refusal of a token is logged. And the
console page where tokens are issued and revoked."""

import logging
import re

import pytest
from django.test import Client

from linli.core.models import AuditEntry, Membership
from linli.dashboards.models import ScreenToken
from linli.dashboards.services.screens import do_issue_screen_token, do_revoke_screen_token
from linli.testing import factories as f

pytestmark = pytest.mark.django_db

STREET = "香河园街道"


@pytest.fixture
def street(world):
    """A and B on one street (same district), C on another."""
    for c in (world.a, world.b):
        c.street = STREET
        c.save(update_fields=["street"])
    other = f.community("c", "远方小区")
    other.street = "别的街道"
    other.save(update_fields=["street"])
    return other


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def data(client, path: str, **query):
    return client.get(path + "data", query)


def shown(response) -> set[str]:
    return {c["name"] for c in response.json()["communities"]}


def refusals(token) -> list[str]:
    entries = AuditEntry.objects.filter(action="screen_token_refused", object_id=str(token.pk))
    return [e.after["reason"] for e in entries.order_by("id")]


def test_staff_with_stats_view_see_their_communitys_screen(world):
    page = signed_in(world.staff).get(f"/screen/{world.a.id}/")
    assert page.status_code == 200
    assert "幸福里小区" in page.content.decode()
    assert data(signed_in(world.staff), f"/screen/{world.a.id}/").status_code == 200


@pytest.mark.parametrize("who", ["front_desk", "technician", "owner", "outsider"])
def test_without_stats_view_over_the_community_the_screen_is_not_found(world, who):
    client = signed_in(getattr(world, who))
    assert client.get(f"/screen/{world.a.id}/").status_code == 404
    r = data(client, f"/screen/{world.a.id}/")
    assert r.status_code == 404 and r.json()["code"] == "screen_not_found"


def test_a_visitor_without_a_token_is_sent_to_sign_in(world):
    r = Client().get(f"/screen/{world.a.id}/")
    assert r.status_code == 302 and "/staff/login/" in r["Location"]
    assert data(Client(), f"/screen/{world.a.id}/").status_code == 401


def test_a_street_screen_shows_the_communities_of_the_street_the_viewer_may_read(world, street):
    assert shown(data(signed_in(world.staff), f"/screen/street/{world.a.id}/")) == {"幸福里小区"}
    assert shown(data(signed_in(world.operator), f"/screen/street/{world.a.id}/")) == {"幸福里小区", "和平苑"}
    # Staff of both read both; the third community is on another street.
    both = f.staff(world.b, "gov_viewer", "street_office")
    Membership.objects.create(user=both, community=world.a, role="gov_viewer")
    assert shown(data(signed_in(both), f"/screen/street/{world.b.id}/")) == {"幸福里小区", "和平苑"}


def test_a_community_without_a_street_has_no_street_screen(world):
    r = data(signed_in(world.staff), f"/screen/street/{world.a.id}/")
    assert r.status_code == 404


def test_a_token_opens_its_own_screen_and_no_other(world, street, caplog):
    token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    kiosk = Client()
    assert data(kiosk, f"/screen/{world.a.id}/", token=raw).status_code == 200
    assert ScreenToken.objects.get(pk=token.pk).last_used_at is not None
    assert kiosk.get(f"/screen/{world.a.id}/", {"token": raw}).status_code == 200

    caplog.set_level(logging.WARNING, logger="linli.dashboards.screen")
    elsewhere = data(kiosk, f"/screen/{world.b.id}/", token=raw)
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "screen_token_wrong_screen"
    widened = data(kiosk, f"/screen/street/{world.a.id}/", token=raw)
    assert widened.status_code == 403 and widened.json()["code"] == "screen_token_wrong_screen"
    page = kiosk.get(f"/screen/{world.b.id}/", {"token": raw})
    assert page.status_code == 403 and "该令牌不能用于此大屏" in page.content.decode()
    assert refusals(token) == ["screen_token_wrong_screen"] * 3
    assert "refused" in caplog.text and raw not in caplog.text


def test_a_street_token_shows_the_street_its_issuer_may_read(world, street):
    token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="街道", street=True)
    assert shown(data(Client(), f"/screen/street/{world.a.id}/", token=raw)) == {"幸福里小区"}
    Membership.objects.create(user=world.admin, community=world.b, role="gov_viewer")
    assert shown(data(Client(), f"/screen/street/{world.a.id}/", token=raw)) == {"幸福里小区", "和平苑"}
    narrow = data(Client(), f"/screen/{world.a.id}/", token=raw)
    assert narrow.status_code == 403 and narrow.json()["code"] == "screen_token_wrong_screen"
    assert refusals(token) == ["screen_token_wrong_screen"]


def test_a_revoked_token_is_refused_at_once(world):
    token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    do_revoke_screen_token(actor=world.staff, token=token)
    r = data(Client(), f"/screen/{world.a.id}/", token=raw)
    assert r.status_code == 403 and r.json()["code"] == "screen_token_revoked"
    assert refusals(token) == ["screen_token_revoked"]


def test_a_token_lapses_with_its_issuers_right_to_read(world):
    token, raw = do_issue_screen_token(actor=world.staff, community=world.a, label="大厅")
    Membership.objects.filter(user=world.staff).delete()
    r = data(Client(), f"/screen/{world.a.id}/", token=raw)
    assert r.status_code == 403 and r.json()["code"] == "screen_token_lapsed"
    assert refusals(token) == ["screen_token_lapsed"]


def test_an_unknown_token_is_refused_and_logged_but_not_audited(world, caplog):
    caplog.set_level(logging.WARNING, logger="linli.dashboards.screen")
    before = AuditEntry.objects.count()
    r = data(Client(), f"/screen/{world.a.id}/", token="guessed")
    assert r.status_code == 403 and r.json()["code"] == "screen_token_invalid"
    assert "unknown token" in caplog.text
    assert AuditEntry.objects.count() == before


def test_only_screen_managers_issue_tokens(world):
    from linli.core.errors import ServiceError

    for who in (world.front_desk, world.grid_worker, world.outsider):
        with pytest.raises(ServiceError) as refused:
            do_issue_screen_token(actor=who, community=world.a, label="大厅")
        assert refused.value.status == 403
    with pytest.raises(ServiceError) as no_street:
        do_issue_screen_token(actor=world.admin, community=world.a, label="街道", street=True)
    assert no_street.value.code == "no_street"
    with pytest.raises(ServiceError) as blank:
        do_issue_screen_token(actor=world.admin, community=world.a, label="  ")
    assert blank.value.code == "label_required"
    assert not ScreenToken.objects.exists()


def test_the_console_issues_a_kiosk_url_once_and_revokes_it(world, street):
    admin = signed_in(world.admin)
    url = f"/staff/{world.a.id}/dashboards/screens/"
    page = admin.get(url)
    assert page.status_code == 200 and "签发令牌" in page.content.decode()
    issued = admin.post(url, {"label": "物业中心大厅", "street": "on"})
    assert issued.status_code == 200
    kiosk_url = re.search(r'id="issued-url" value="([^"]+)"', issued.content.decode()).group(1)
    assert f"/screen/street/{world.a.id}/?token=" in kiosk_url
    token = ScreenToken.objects.get()
    assert token.street and token.token_hash not in issued.content.decode()
    raw = kiosk_url.split("token=")[1]
    assert data(Client(), f"/screen/street/{world.a.id}/", token=raw).status_code == 200
    assert raw not in admin.get(url).content.decode()  # shown once

    assert admin.post(url, {"revoke": str(token.pk)}).status_code == 302
    assert ScreenToken.objects.get().revoked_at is not None
    assert data(Client(), f"/screen/street/{world.a.id}/", token=raw).status_code == 403
    blank = admin.post(url, {"label": ""})
    assert blank.status_code == 422


def test_the_console_page_needs_screen_manage(world):
    for who in (world.front_desk, world.technician, world.grid_worker):
        assert signed_in(who).get(f"/staff/{world.a.id}/dashboards/screens/").status_code == 404
    token, _raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    outsider = signed_in(world.outsider)
    assert (
        outsider.post(f"/staff/{world.b.id}/dashboards/screens/", {"revoke": str(token.pk)}).status_code
        == 404
    )
    assert ScreenToken.objects.get().revoked_at is None

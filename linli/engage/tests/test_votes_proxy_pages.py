"""A proxy's ballot on the resident's pages (no JavaScript): from the vote's page to the proxy
form, the owner's part found by its house number (labels only, no names), the written
authorisation uploaded; refusals beside the field with the service's code; the committee then
sees the ballot waiting for its check, and the sender sees it pending."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.engage.models import VoteBallot
from linli.testing import factories as f
from linli.testing.engage_votes import estate, open_vote
from linli.testing.walk import text_of

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate"]


def pdf(name="委托书.pdf", data=b"%PDF-1.4 signed", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def vote(estate):
    return open_vote(estate.world, estate.committee, title="选聘物业")


def proxy_url(vote) -> str:
    return f"/engage/votes/{vote.pk}/proxy/"


def part(vote, number: str):
    return vote.electors.get(label__endswith=number)


@pytest.mark.django_db
def test_a_resident_sends_a_proxy_ballot_and_the_committee_sees_it_pending(estate, vote, browser):
    world = estate.world
    tenant = browser(world.tenant)  # a resident of the community, not an owner
    page = text_of(tenant.get(f"/engage/votes/{vote.pk}/"))
    assert "代业主投票（委托）" in page and proxy_url(vote) in page

    found = tenant.get(proxy_url(vote), {"q": "1号楼 302"})
    shown = text_of(found)
    assert found.status_code == 200
    assert "-302" in shown and "-301" not in shown and "-303" not in shown
    assert "赵邻居" not in shown and "王建国" not in shown  # the roll's labels, no names

    neighbour = part(vote, "302")
    r = tenant.post(
        proxy_url(vote) + "?q=302", {"elector": neighbour.pk, "choice": "against", "authorisation": pdf()}
    )
    assert r.status_code == 302 and r.url == f"/engage/votes/{vote.pk}/"
    ballot = VoteBallot.objects.get(vote=vote, channel="proxy")
    assert (ballot.status, ballot.elector_id, ballot.choice) == ("pending", neighbour.pk, "against")
    assert ballot.cast_by_id == world.tenant.pk and bytes(ballot.authorisation).startswith(b"%PDF")
    page = text_of(tenant.get(r.url))
    assert page.count("已提交，待业主委员会核对") == 2  # the message, and the ballot's status
    assert f'data-ballot="{ballot.pk}" data-status="pending"' in page

    committee = browser(estate.committee)
    console = text_of(committee.get(f"/engage/staff/{world.a.id}/votes/{vote.pk}/"))
    assert "待核验 1 张" in console and f'data-ballot="{ballot.pk}"' in console
    assert "查看书面委托书" in console
    committee.post(f"/engage/staff/{world.a.id}/votes/ballots/{ballot.pk}/decide", {"approve": "1"})
    ballot.refresh_from_db()
    assert ballot.status == "valid"
    assert "有效" in text_of(tenant.get(r.url))


@pytest.mark.django_db
def test_refusals_show_beside_the_field_with_the_services_code(estate, vote, browser):
    tenant = browser(estate.world.tenant)
    neighbour = part(vote, "302")

    r = tenant.post(proxy_url(vote), {"elector": neighbour.pk, "choice": "for"})
    page = r.content.decode()
    assert r.status_code == 422 and 'data-code="vote_proxy_no_authorisation"' in page
    assert "has-error" in page and "委托投票须上传业主签署的书面委托书" in text_of(r)

    wrong = pdf("委托书.txt", b"not a scan", "text/plain")
    r = tenant.post(proxy_url(vote), {"elector": neighbour.pk, "choice": "for", "authorisation": wrong})
    assert r.status_code == 422 and 'data-code="vote_bad_authorisation"' in r.content.decode()
    assert "委托书须为 5 MB 以内的 JPG、PNG 或 PDF 文件" in text_of(r)

    big = pdf(data=b"%PDF" + b"0" * (5 * 1024 * 1024))
    r = tenant.post(proxy_url(vote), {"elector": neighbour.pk, "choice": "for", "authorisation": big})
    assert 'data-code="vote_bad_authorisation"' in r.content.decode()

    r = tenant.post(proxy_url(vote), {"elector": neighbour.pk, "authorisation": pdf()})
    assert 'data-code="vote_bad_choice"' in r.content.decode() and "请选择同意、反对或弃权" in text_of(r)

    r = tenant.post(proxy_url(vote), {"choice": "for", "authorisation": pdf()})
    assert 'data-code="vote_no_elector"' in r.content.decode()
    assert not VoteBallot.objects.filter(vote=vote, channel="proxy").exists()

    # The owner already voted online: the part is refused, beside the part.
    browser(estate.world.neighbour).post(f"/engage/votes/{vote.pk}/", {"choice": "for"})
    r = tenant.post(proxy_url(vote), {"elector": neighbour.pk, "choice": "for", "authorisation": pdf()})
    assert r.status_code == 422 and 'data-code="vote_already_voted"' in r.content.decode()
    assert not VoteBallot.objects.filter(vote=vote, channel="proxy").exists()


@pytest.mark.django_db
def test_outsiders_reach_no_proxy_page(estate, vote, browser):
    world = estate.world
    resident_of_b = f.user("heping", phone="13900000077")
    f.occupy(world.house_b, f.person(world.b, "和平苑住户", login=resident_of_b), "co_owner")
    neighbour = part(vote, "302")
    for user in (resident_of_b, world.outsider):  # the outsider: B's admin, an owner in B
        client = browser(user)
        assert client.get(proxy_url(vote)).status_code == 404
        r = client.post(proxy_url(vote), {"elector": neighbour.pk, "choice": "for", "authorisation": pdf()})
        assert r.status_code == 404
    assert browser().get(proxy_url(vote)).status_code == 302  # to sign in
    assert not VoteBallot.objects.filter(vote=vote, channel="proxy").exists()


@pytest.mark.django_db
def test_no_proxy_page_once_the_vote_is_closed(estate, vote, browser):
    browser(estate.committee).post(f"/engage/staff/{estate.world.a.id}/votes/{vote.pk}/close")
    tenant = browser(estate.world.tenant)
    assert tenant.get(proxy_url(vote)).status_code == 404
    assert "代业主投票（委托）" not in text_of(tenant.get(f"/engage/votes/{vote.pk}/"))


@pytest.mark.django_db
def test_a_photographed_authorisation_is_kept_as_a_clean_jpeg(estate, vote, browser):
    photo = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(photo, "PNG")
    sent = pdf("委托书.png", photo.getvalue(), "image/png")
    r = browser(estate.world.tenant).post(
        proxy_url(vote), {"elector": part(vote, "302").pk, "choice": "for", "authorisation": sent}
    )
    assert r.status_code == 302, r.content.decode()
    kept = VoteBallot.objects.get(vote=vote, channel="proxy")
    assert kept.authorisation_type == "image/jpeg" and bytes(kept.authorisation).startswith(b"\xff\xd8\xff")

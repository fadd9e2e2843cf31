"""Owners backing at the same moment: every backing counts once and the agenda opens once;
two members of a household confirming a notice at once: one confirmation. Threads against the
test database (SQLite here, PostgreSQL in CI)."""

import pytest

from linli.core.models import AuditEntry
from linli.engage.models import NoticeHousehold, Proposal
from linli.engage.services import notices, proposals
from linli.testing.engage_notices import published_notice
from linli.testing.threads import race


@pytest.mark.django_db(transaction=True)
def test_concurrent_backings_count_once_each_and_open_the_agenda_once(world):
    proposals.do_update_deliberation_settings(
        actor=world.staff, community_id=world.a.id, backing_share_bp=9000, answer_days=7, banned_words=[]
    )
    proposal = proposals.do_post_proposal(actor=world.owner, community_id=world.a.id, title="t", body="b")
    outcomes = race(
        [
            lambda: proposals.do_back(actor=world.owner, proposal_id=proposal.pk),
            lambda: proposals.do_back(actor=world.neighbour, proposal_id=proposal.pk),
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    proposal.refresh_from_db()
    assert (proposal.backers, proposal.status) == (2, "agenda")
    assert AuditEntry.objects.filter(action="engage.proposal_agenda").count() == 1
    assert Proposal.objects.get(pk=proposal.pk).backed_area == world.house.area + world.neighbour_house.area


@pytest.mark.django_db(transaction=True)
def test_two_members_confirming_at_once_confirm_the_household_once(world):
    notice = published_notice(world.staff, world.a.id, must_confirm=True)
    outcomes = race(
        [
            lambda: notices.do_confirm_notice(actor=world.owner, notice_id=notice.pk),
            lambda: notices.do_confirm_notice(actor=world.tenant, notice_id=notice.pk),
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    household = NoticeHousehold.objects.get(notice=notice, house=world.house)
    assert household.confirmed_by_id in (world.owner.id, world.tenant.id)
    assert AuditEntry.objects.filter(action="engage.notice_confirm").count() == 1

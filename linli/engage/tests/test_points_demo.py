"""The demo's points and convention: rules, a catalogue with stock, households with history,
the convention and a violation still open to appeal."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.core.models import Community
from linli.engage.choices_points import ViolationStatus, VolunteerStatus
from linli.engage.models import (
    CatalogueItem,
    ConventionVersion,
    EarningRule,
    PointsAccount,
    Violation,
    VolunteerLog,
)
from linli.engage.services.points_demo import seed_points_demo


@pytest.mark.django_db
def test_the_demo_has_points_and_a_convention():
    call_command("seed_demo", "--small", stdout=None)
    community = Community.objects.get(name="幸福里小区")
    assert EarningRule.objects.filter(community=community).count() == 3
    assert CatalogueItem.objects.filter(community=community, stock__gt=0).count() >= 3
    assert PointsAccount.objects.filter(community=community, balance__gt=0).count() >= 5
    assert VolunteerLog.objects.filter(community=community, status=VolunteerStatus.PENDING).exists()
    assert ConventionVersion.objects.filter(community=community).count() == 1
    open_to_appeal = Violation.objects.get(community=community)
    assert (
        open_to_appeal.status == ViolationStatus.RECORDED and open_to_appeal.appeal_deadline > timezone.now()
    )
    assert seed_points_demo(community) == {"created": False}

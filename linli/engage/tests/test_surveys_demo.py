"""The demo's part: two comparable satisfaction years with answers, an activity with a waiting
list, the yellow pages and mutual help, in the small demo."""

from io import StringIO

import pytest
from django.core.management import call_command

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.demo import builder as demo
from linli.engage import queries_activities, queries_surveys
from linli.engage.models import Activity, DirectoryEntry, HelpPost, Registration


@pytest.mark.django_db
def test_the_demo_has_comparable_satisfaction_years_and_a_waiting_list():
    call_command("seed_demo", "--small", stdout=StringIO())
    community = Community.objects.get(code=demo.SITES[0].code)
    manager = Membership.objects.filter(community=community, role=Role.PROPERTY_MANAGER).first().user
    trend = queries_surveys.satisfaction_trend(manager, community.pk)
    assert len(trend) == 2
    (last, before), (this, now) = trend
    assert last.responses.count() > 10 and this.responses.count() > 10
    assert set(before) == set(now) and len(now) == 8
    _previous, rows = queries_surveys.year_over_year(manager, this)
    assert all(r.change is not None for r in rows)
    fair = Activity.objects.get(community=community, title__startswith="社区义诊")
    statuses = sorted(Registration.objects.filter(activity=fair).values_list("status", flat=True))
    assert statuses == ["confirmed", "waiting"]
    assert queries_activities.attended(fair.pk) == []
    assert DirectoryEntry.objects.filter(community=community).count() == 6
    assert HelpPost.objects.filter(community=community).count() == 2

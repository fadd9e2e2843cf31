"""Recommendations (ENG-7): computed only for a household that opted in and has not withdrawn,
from the ages of the people living there (never from care tags), each with its reason; "不感兴趣"
is remembered per household and rule. The conditions as a table."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from linli.registry.models import Person
from linli.services.household import age_on, matches
from linli.services.models import RecommendationConsent
from linli.services.services import recommend
from linli.testing import factories as f


@pytest.mark.parametrize(
    ("condition", "ages", "expected"),
    [
        ("child_under_6", [35, 33, 5], True),
        ("child_under_6", [35, 6], False),
        ("child_under_6", [35, None], False),  # no birth date: nothing assumed
        ("elderly_alone", [70], True),
        ("elderly_alone", [69], False),
        ("elderly_alone", [80, 78], False),
        ("elderly_alone", [80, None], False),  # someone of unknown age lives with them
        ("elderly_alone", [None], False),
        ("elderly_in_household", [40, 71], True),
        ("elderly_in_household", [40, 69], False),
        ("unknown_condition", [1, 90], False),
    ],
)
def test_conditions(condition, ages, expected):
    assert matches(condition, ages) is expected


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2020, 6, 1), date(2026, 5, 31), 5),
        (date(2020, 6, 1), date(2026, 6, 1), 6),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
    ],
)
def test_age_on(birth, today, age):
    assert age_on(birth, today) == age


def _born(person: Person, years: int, days: int = 10) -> None:
    Person.objects.filter(pk=person.pk).update(
        birth_date=timezone.localdate() - timedelta(days=365 * years + days)
    )


@pytest.fixture
def family(world):
    """王建国's flat with a child of 3; rules: childcare for a young child, care for the elderly alone."""
    child = f.person(world.a, "王小宝")
    f.occupy(world.house, child, "family")
    _born(child, 3)
    child_rule = recommend.do_create_rule(
        actor=world.staff,
        community_id=world.a.pk,
        condition="child_under_6",
        category="childcare",
        reason="因为您家有6岁以下儿童",
    )
    alone_rule = recommend.do_create_rule(
        actor=world.staff,
        community_id=world.a.pk,
        condition="elderly_alone",
        category="elderly_care_visit",
        reason="因为您家有70岁以上独居老人",
    )
    return child_rule, alone_rule


def _recommended(api, user, house):
    r = api(user).get(f"/services/my/houses/{house.pk}/recommendations")
    assert r.status_code == 200, r.json()
    return [(x["category"], x["reason"]) for x in r.json()]


@pytest.mark.django_db
def test_nothing_without_consent_then_withdrawn_then_dismissed(world, api, family):
    child_rule, _alone = family
    assert _recommended(api, world.owner, world.house) == []  # not opted in
    r = api(world.tenant).post("/services/my/consent", {"house_id": world.house.pk})
    assert r.status_code == 201
    assert api(world.owner).post("/services/my/consent", {"house_id": world.house.pk}).json()["code"] == (
        "already_opted_in"
    )
    assert _recommended(api, world.owner, world.house) == [("childcare", "因为您家有6岁以下儿童")]
    consent = RecommendationConsent.objects.get()
    assert consent.given_by == world.tenant and consent.given_at is not None

    assert (
        api(world.owner).post("/services/my/consent/withdraw", {"house_id": world.house.pk}).status_code
        == 200
    )
    assert _recommended(api, world.owner, world.house) == []  # withdrawn
    assert RecommendationConsent.objects.get().withdrawn_by == world.owner  # the history stays
    again = api(world.owner).post("/services/my/consent/withdraw", {"house_id": world.house.pk})
    assert again.json()["code"] == "not_opted_in"

    api(world.owner).post("/services/my/consent", {"house_id": world.house.pk})
    assert len(_recommended(api, world.owner, world.house)) == 1
    path = f"/services/my/houses/{world.house.pk}/recommendations/{child_rule.pk}/dismiss"
    assert api(world.owner).post(path).status_code == 204
    assert api(world.owner).post(path).status_code == 204  # twice is harmless
    assert _recommended(api, world.owner, world.house) == []  # dismissed: not shown again
    assert _recommended(api, world.tenant, world.house) == []  # for the whole household


@pytest.mark.django_db
def test_only_the_household_itself(world, api, family):
    api(world.owner).post("/services/my/consent", {"house_id": world.house.pk})
    assert (
        api(world.neighbour).get(f"/services/my/houses/{world.house.pk}/recommendations").status_code == 404
    )
    assert api(world.neighbour).post("/services/my/consent", {"house_id": world.house.pk}).status_code == 404
    assert api(world.staff).get(f"/services/my/houses/{world.house.pk}/consent").status_code == 404
    assert (
        api(world.outsider)
        .post(f"/services/my/houses/{world.house.pk}/recommendations/{family[0].pk}/dismiss")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_never_from_care_tags(world, api, family):
    """An elderly neighbour living alone with a care tag (consented for care) but no birth date
    on record gets no care recommendation: the tag is not an input. With the birth date, and
    the household's own opt-in, the rule applies."""
    neighbour = Person.objects.get(user=world.neighbour)
    neighbour.care_tags.create(
        community=world.a,
        kind="elderly_alone",
        consent_at=timezone.now(),
        consent_by="本人",
        consent_method="书面",
    )
    api(world.neighbour).post("/services/my/consent", {"house_id": world.neighbour_house.pk})
    assert _recommended(api, world.neighbour, world.neighbour_house) == []
    _born(neighbour, 75)
    assert _recommended(api, world.neighbour, world.neighbour_house) == [
        ("elderly_care_visit", "因为您家有70岁以上独居老人")
    ]


@pytest.mark.django_db
def test_staff_edit_the_rules(world, api, family):
    child_rule, _alone = family
    api(world.owner).post("/services/my/consent", {"house_id": world.house.pk})
    r = api(world.staff).patch(
        f"/services/recommendation-rules/{child_rule.pk}", {"reason": "家有幼儿，托育可选"}
    )
    assert r.json()["reason"] == "家有幼儿，托育可选"
    assert _recommended(api, world.owner, world.house) == [("childcare", "家有幼儿，托育可选")]
    api(world.staff).patch(f"/services/recommendation-rules/{child_rule.pk}", {"active": False})
    assert _recommended(api, world.owner, world.house) == []
    assert (
        api(world.front_desk)
        .patch(f"/services/recommendation-rules/{child_rule.pk}", {"active": True})
        .status_code
        == 403
    )
    assert (
        api(world.outsider)
        .patch(f"/services/recommendation-rules/{child_rule.pk}", {"active": True})
        .status_code
        == 404
    )
    assert (
        api(world.staff)
        .patch(f"/services/recommendation-rules/{child_rule.pk}", {"active": None})
        .status_code
        == 422
    )

"""Test support for surveys, activities, the yellow pages and mutual help: community A's open
survey, an upcoming activity with one registration, a yellow-pages entry and a help post, and
their ids for the outsider and narrowed-staff walks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.engage.choices_surveys import QuestionKind
from linli.engage.services import activities as activity_services
from linli.engage.services import activities_neighbours as neighbours
from linli.engage.services import surveys as survey_services

QUESTIONS = [
    {"kind": QuestionKind.SINGLE, "text": "您最常去哪个出入口？", "options": ["东门", "西门", "北门"]},
    {
        "kind": QuestionKind.MULTIPLE,
        "text": "希望增加哪些设施？",
        "options": ["健身器材", "儿童乐园", "充电桩", "快递柜"],
    },
    {"kind": QuestionKind.RATING, "text": "对小区环境的满意程度"},
    {"kind": QuestionKind.TEXT, "text": "其他建议", "required": False},
]


def refused(expected: str, fn, **kwargs) -> ServiceError:
    """`fn(**kwargs)` is refused with the code `expected`; the refusal, for more checks."""
    with pytest.raises(ServiceError) as caught:
        fn(**kwargs)
    assert caught.value.code == expected, caught.value.as_dict()
    return caught.value


def open_survey(world, *, actor=None, **kwargs):
    """A published survey of community A, open from an hour ago for a week."""
    now = timezone.now()
    values = {"title": "小区设施需求调查", "questions": QUESTIONS, "opens_at": now - timedelta(hours=1)}
    values |= {"closes_at": now + timedelta(days=7), **kwargs}
    survey = survey_services.do_create_survey(actor=actor or world.staff, community_id=world.a.id, **values)
    return survey_services.do_publish_survey(actor=actor or world.staff, survey=survey)


def open_satisfaction(world, year: int, ratings_by_user=()):
    """Community A's published satisfaction survey of `year`, open from yesterday to tomorrow,
    answered by each (user, [a rating per dimension, in order])."""
    now = timezone.now()
    survey = survey_services.do_create_satisfaction_survey(
        actor=world.staff,
        community_id=world.a.id,
        year=year,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
    )
    survey_services.do_publish_survey(actor=world.staff, survey=survey)
    rated = [x for x in survey.questions.all() if x.kind == QuestionKind.RATING]
    for user, ratings in ratings_by_user:
        answers = [{"question_id": x.pk, "rating": r} for x, r in zip(rated, ratings, strict=True)]
        survey_services.do_answer_survey(actor=user, survey=survey, answers=answers)
    return survey


def answers_for(survey, *, single=0, multiple=(0, 2), rating=4, text=""):
    q = list(survey.questions.all())
    return [
        {"question_id": q[0].pk, "choices": [single]},
        {"question_id": q[1].pk, "choices": list(multiple)},
        {"question_id": q[2].pk, "rating": rating},
        {"question_id": q[3].pk, "text": text},
    ]


def upcoming_activity(world, *, capacity=10, **kwargs):
    starts = timezone.now() + timedelta(days=3)
    values = {
        "title": "中秋游园会",
        "place": "中心花园",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
    }
    return activity_services.do_create_activity(
        actor=world.staff, community_id=world.a.id, capacity=capacity, **(values | kwargs)
    )


def probe_ids(world) -> dict[str, int | str]:
    survey = open_survey(world)
    activity = upcoming_activity(world)
    registration = activity_services.do_sign_up(actor=world.owner, activity=activity)
    entry = neighbours.do_save_entry(
        actor=world.staff,
        community_id=world.a.id,
        values={"name": "社区卫生服务站", "category": "medical", "phone": "010-88886666"},
    )
    post = neighbours.do_post_help(
        actor=world.owner, community_id=world.a.id, kind="ask", title="代取快递", body="腿脚不便"
    )
    return {
        "survey_id": survey.pk,
        "activity_id": activity.pk,
        "registration_id": registration.pk,
        "directory_entry_id": entry.pk,
        "help_post_id": post.pk,
    }


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """2号楼's survey and its resident's registration: narrowed staff of 1号楼 see neither."""
    survey = open_survey(world, title="2号楼电梯加装意见", building_id=narrowed.other_building.pk)
    activity = upcoming_activity(world)
    registration = activity_services.do_sign_up(actor=narrowed.other_user, activity=activity)
    post = neighbours.do_post_help(
        actor=narrowed.other_user, community_id=world.a.id, kind="offer", title="可代取快递", body="2号楼"
    )
    entry = neighbours.do_save_entry(
        actor=world.staff,
        community_id=world.a.id,
        values={"name": "开锁", "category": "repair", "phone": "110"},
    )
    return {
        "survey_id": survey.pk,
        "registration_id": registration.pk,
        "activity_id": activity.pk,
        "help_post_id": post.pk,
        "directory_entry_id": entry.pk,
    }


def fingerprint(community_id: int) -> dict[str, int]:
    """What a walk must not change of activities: cancelled ones, live sign-ups, seats taken."""
    from django.db.models import Sum

    from linli.engage.models import Activity, Registration

    activities = Activity.objects.filter(community_id=community_id)
    return {
        "activities_cancelled": activities.filter(status="cancelled").count(),
        "activity_seats_taken": activities.aggregate(n=Sum("seats_taken"))["n"] or 0,
        "registrations_live": Registration.objects.filter(
            community_id=community_id, status__in=activity_services.LIVE
        ).count(),
    }

"""Surveys and activities at volume, in one SQLite community of N households (owners with a
login each):
- answering a survey of four questions (one household after another; p50/p95/p99 per answer),
- the results of that survey over N responses, and the satisfaction survey's year-over-year
  view over two years of N responses each,
- signing up for an activity (per sign-up, the activity filling up and the waiting list growing)
  and a cancellation that promotes the head of the waiting list.

    .venv/bin/python bench/engage_surveys.py                    # 2,000 households
    .venv/bin/python bench/engage_surveys.py --households 300   # a quick check

Households are written with bulk_create (set-up, not a product path); answers and sign-ups go
through the services, as the residents.
"""

import argparse
import itertools
import random
from datetime import timedelta
from decimal import Decimal

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "engage_surveys"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(n: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from linli.registry.models import Building, House, Occupancy, Person, Unit
    from linli.testing import factories as f

    community = f.community(None, "问卷花园")
    staff = f.staff(community, "property_manager", f"bench-manager-{community.pk}")
    building = Building.objects.create(community=community, name="1号楼")
    unit = Unit.objects.create(building=building, name="1单元")
    houses = House.objects.bulk_create(
        House(
            community=community,
            building=building,
            unit=unit,
            number=f"{i + 1:04d}",
            floor=1 + i // 10,
            area=Decimal("89.00"),
        )
        for i in range(n)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-owner-{i}", display_name=f"业主{i}") for i in range(n)
    )
    people = Person.objects.bulk_create(
        Person(community=community, name=f"业主{i}", user=u) for i, u in enumerate(users)
    )
    since = timezone.localdate() - timedelta(days=400)
    Occupancy.objects.bulk_create(
        Occupancy(house=h, person=p, relation="owner", valid_from=since)
        for h, p in zip(houses, people, strict=True)
    )
    return community, staff, users


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.utils import timezone

    from linli.engage import queries_surveys
    from linli.engage.models import Registration
    from linli.engage.services import activities, surveys
    from linli.testing.engage_surveys import QUESTIONS

    n = args.households
    log(f"building {n} households")
    community, staff, users = build(n)
    extra = {"households": n}
    now = timezone.now()
    window = {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=7)}
    survey = surveys.do_create_survey(
        actor=staff, community_id=community.pk, title="bench", questions=QUESTIONS, **window
    )
    surveys.do_publish_survey(actor=staff, survey=survey)
    q = [x.pk for x in survey.questions.all()]
    rng = random.Random(7)

    turn = itertools.count()  # time_calls() numbers its warm-up and its samples from 0 each

    def answer(_i: int):
        i = next(turn)
        answers = [
            {"question_id": q[0], "choices": [rng.randrange(3)]},
            {"question_id": q[1], "choices": sorted(rng.sample(range(4), 2))},
            {"question_id": q[2], "rating": rng.randint(1, 5)},
            {"question_id": q[3], "text": "建议" if i % 5 == 0 else ""},
        ]
        surveys.do_answer_survey(actor=users[i], survey=survey, answers=answers)

    times = time_calls(answer, n - 10, warmup=10)
    for name, value in percentiles(times).items():
        emit(BENCH, f"answer_{name}", value, "ms", len(times), **extra)
    with timed() as elapsed:
        queries_surveys.results(survey)
    emit(BENCH, "results", elapsed() * 1000, "ms", 1, responses=n, **extra)

    years = []
    for year in (2025, 2026):
        s = surveys.do_create_satisfaction_survey(actor=staff, community_id=community.pk, year=year, **window)
        surveys.do_publish_survey(actor=staff, survey=s)
        rated = [x.pk for x in s.questions.all() if x.kind == "rating"]
        for user in users:
            answers = [{"question_id": x, "rating": rng.randint(2, 5)} for x in rated]
            surveys.do_answer_survey(actor=user, survey=s, answers=answers)
        years.append(s)
    with timed() as elapsed:
        queries_surveys.year_over_year(staff, years[1])
    emit(BENCH, "satisfaction_year_over_year", elapsed() * 1000, "ms", 1, responses_per_year=n, **extra)

    start = now + timedelta(days=3)
    activity = activities.do_create_activity(
        actor=staff,
        community_id=community.pk,
        title="bench",
        place="花园",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=n // 2,
    )
    turn = itertools.count()
    times = time_calls(lambda _i: activities.do_sign_up(actor=users[next(turn)], activity=activity), n - 10)
    for name, value in percentiles(times).items():
        emit(BENCH, f"sign_up_{name}", value, "ms", len(times), capacity=n // 2, **extra)
    confirmed = list(Registration.objects.filter(activity=activity, status="confirmed").order_by("id")[:50])
    turn = itertools.count()

    def cancel(_i: int):
        registration = confirmed[next(turn)]
        activities.do_cancel_registration(actor=registration.user, registration=registration)

    times = time_calls(cancel, 40, warmup=5)
    for name, value in percentiles(times).items():
        emit(BENCH, f"cancel_and_promote_{name}", value, "ms", len(times), **extra)


if __name__ == "__main__":
    main()

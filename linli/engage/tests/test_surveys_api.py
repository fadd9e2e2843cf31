"""Surveys, activities, the yellow pages and mutual help through the API, as the personas."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.engage.models import HelpPost
from linli.notify.models import Notification
from linli.testing import factories as f
from linli.testing.engage_surveys import QUESTIONS, open_survey, upcoming_activity

pytestmark = pytest.mark.django_db


def test_it_builds_publishes_answers_and_counts_a_survey(world, api):
    staff, owner = api(world.staff), api(world.owner)
    now = timezone.now()
    body = {"title": "停车意见", "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=3)}
    r = staff.post(f"/engage/communities/{world.a.id}/surveys", {**body, "questions": QUESTIONS})
    assert r.status_code == 201, r.content
    survey = r.json()
    assert survey["status"] == "draft" and len(survey["questions"]) == 4
    assert owner.get("/engage/my/surveys").json() == []  # drafts are the staff's
    r = api(world.front_desk).post(f"/engage/surveys/{survey['id']}/publish")
    assert r.status_code == 403
    assert staff.post(f"/engage/surveys/{survey['id']}/publish").json()["accepting"] is True
    mine = owner.get("/engage/my/surveys").json()
    assert [(s["id"], s["answered"]) for s in mine] == [(survey["id"], False)]
    detail = owner.get(f"/engage/surveys/{survey['id']}").json()
    q = [x["id"] for x in detail["questions"]]
    answers = [
        {"question_id": q[0], "choices": [1]},
        {"question_id": q[1], "choices": [0, 3]},
        {"question_id": q[2], "rating": 5},
        {"question_id": q[3], "text": "多建车位"},
    ]
    r = owner.post(f"/engage/surveys/{survey['id']}/responses", {"answers": answers})
    assert r.status_code == 201, r.content
    r = api(world.tenant).post(f"/engage/surveys/{survey['id']}/responses", {"answers": answers})
    assert (r.status_code, r.json()["code"]) == (409, "already_answered")
    bad = [*answers[:2], {"question_id": q[2], "rating": 5, "choices": [0]}, answers[3]]
    r = api(world.neighbour).post(f"/engage/surveys/{survey['id']}/responses", {"answers": bad})
    assert (r.status_code, r.json()["code"]) == (400, "bad_answer")
    r = api(world.outsider).post(f"/engage/surveys/{survey['id']}/responses", {"answers": answers})
    assert r.status_code == 404
    results = staff.get(f"/engage/surveys/{survey['id']}/results").json()
    assert results["responses"] == 1
    assert results["questions"][2]["score"] == 100.0 and results["questions"][3]["texts"] == ["多建车位"]
    assert owner.get(f"/engage/surveys/{survey['id']}/results").status_code == 404
    assert staff.post(f"/engage/surveys/{survey['id']}/close").json()["status"] == "closed"
    r = api(world.neighbour).post(f"/engage/surveys/{survey['id']}/responses", {"answers": answers})
    assert (r.status_code, r.json()["code"]) == (409, "survey_closed")


def test_it_compares_satisfaction_years(world, api):
    staff = api(world.staff)
    now = timezone.now()
    window = {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1)}
    ids = []
    for year, rating in ((2025, 3), (2026, 4)):
        r = staff.post(f"/engage/communities/{world.a.id}/surveys/satisfaction", {"year": year, **window})
        assert r.status_code == 201, r.content
        survey = r.json()
        staff.post(f"/engage/surveys/{survey['id']}/publish")
        answers = [
            {"question_id": x["id"], "rating": rating} for x in survey["questions"] if x["kind"] == "rating"
        ]
        assert (
            api(world.owner)
            .post(f"/engage/surveys/{survey['id']}/responses", {"answers": answers})
            .status_code
            == 201
        )
        ids.append(survey["id"])
    r = staff.post(f"/engage/communities/{world.a.id}/surveys/satisfaction", {"year": 2026, **window})
    assert (r.status_code, r.json()["code"]) == (409, "satisfaction_year_exists")
    compare = staff.get(f"/engage/surveys/{ids[1]}/year-over-year").json()
    assert compare["previous_year"] == 2025
    assert {d["dimension"]: (d["previous"], d["score"], d["change"]) for d in compare["dimensions"]}[
        "overall"
    ] == (
        60.0,
        80.0,
        20.0,
    )
    plain = open_survey(world)
    assert staff.get(f"/engage/surveys/{plain.pk}/year-over-year").status_code == 404


def test_it_signs_up_queues_promotes_and_checks_in(world, api):
    activity = upcoming_activity(world, capacity=2)
    owner, neighbour, staff = api(world.owner), api(world.neighbour), api(world.staff)
    listed = owner.get("/engage/my/activities").json()
    assert [(a["id"], a["registration"]) for a in listed] == [(activity.pk, None)]
    mine = owner.post(f"/engage/activities/{activity.pk}/registrations", {"party_size": 2}).json()
    assert mine["status"] == "confirmed"
    waiting = neighbour.post(f"/engage/activities/{activity.pk}/registrations", {"party_size": 1}).json()
    assert (waiting["status"], waiting["waiting_position"]) == ("waiting", 1)
    assert neighbour.get(f"/engage/registrations/{waiting['id']}/code").status_code == 404  # not confirmed
    assert owner.get(f"/engage/registrations/{waiting['id']}/code").status_code == 404  # not theirs
    code = owner.get(f"/engage/registrations/{mine['id']}/code").json()["code"]
    r = staff.post(f"/engage/activities/{activity.pk}/check-ins", {"code": code + "x"})
    assert (r.status_code, r.json()["code"]) == (400, "bad_code")
    r = staff.post(f"/engage/activities/{activity.pk}/check-ins", {"code": code})
    assert r.status_code == 200 and r.json()["name"] == "王*主"
    r = staff.post(f"/engage/activities/{activity.pk}/check-ins", {"code": code})
    assert (r.status_code, r.json()["code"]) == (409, "already_checked_in")
    rows = staff.get(f"/engage/activities/{activity.pk}/registrations").json()
    assert [(x["status"], x["checked_in_at"] is not None) for x in rows] == [
        ("confirmed", True),
        ("waiting", False),
    ]
    other = upcoming_activity(world, capacity=1)
    first = owner.post(f"/engage/activities/{other.pk}/registrations", {}).json()
    second = neighbour.post(f"/engage/activities/{other.pk}/registrations", {}).json()
    assert api(world.tenant).post(f"/engage/registrations/{first['id']}/cancel").status_code == 404
    assert owner.post(f"/engage/registrations/{first['id']}/cancel").json()["status"] == "cancelled"
    assert neighbour.get(f"/engage/activities/{other.pk}").json()["registration"]["id"] == second["id"]
    assert neighbour.get(f"/engage/activities/{other.pk}").json()["registration"]["status"] == "confirmed"
    assert api(world.outsider).get(f"/engage/activities/{activity.pk}").status_code == 404


def test_it_keeps_the_yellow_pages(world, api):
    staff = api(world.staff)
    entry = {"name": "社区医院", "category": "medical", "phone": "010-12345678", "hours": "8:00-17:00"}
    r = staff.post(f"/engage/communities/{world.a.id}/directory", entry)
    assert r.status_code == 201, r.content
    entry_id = r.json()["id"]
    assert api(world.front_desk).put(f"/engage/directory/{entry_id}", entry).status_code == 404
    assert staff.put(f"/engage/directory/{entry_id}", {**entry, "phone": "010-1"}).json()["phone"] == "010-1"
    assert [e["name"] for e in api(world.tenant).get("/engage/my/directory").json()] == ["社区医院"]
    assert api(world.outsider).get("/engage/my/directory").json() == []
    r = staff.post(f"/engage/communities/{world.a.id}/directory", {**entry, "category": "spa"})
    assert r.status_code == 422
    assert staff.delete(f"/engage/directory/{entry_id}").status_code == 204
    assert api(world.owner).get("/engage/my/directory").json() == []


def test_it_helps_neighbours_and_moderates(world, api):
    owner, neighbour, staff = api(world.owner), api(world.neighbour), api(world.staff)
    body = {
        "community_id": world.a.id,
        "kind": "ask",
        "title": "帮忙取快递",
        "body": "腿脚不便，请帮忙从驿站取件",
    }
    post = owner.post("/engage/help", body).json()
    assert post["author"] == "王*主" and post["mine"] is True
    r = api(world.outsider).post("/engage/help", body)
    assert (r.status_code, r.json()["code"]) == (403, "not_resident")
    r = neighbour.post(f"/engage/help/{post['id']}/replies", {"body": "我下班顺路带", "offers_help": True})
    assert r.status_code == 201 and r.json()["replies"][0]["offers_help"] is True
    assert neighbour.post(f"/engage/help/{post['id']}/reports", {"reason": "广告"}).status_code == 204
    r = neighbour.post(f"/engage/help/{post['id']}/reports", {"reason": "广告"})
    assert (r.status_code, r.json()["code"]) == (409, "already_reported")
    queue = staff.get(f"/engage/communities/{world.a.id}/help").json()
    assert queue[0]["reports"] == 1
    assert api(world.front_desk).post(f"/engage/help/{post['id']}/hide", {"reason": "x"}).status_code == 404
    r = staff.post(f"/engage/help/{post['id']}/hide", {"reason": "含广告内容"})
    assert r.json()["status"] == "hidden"
    assert HelpPost.objects.get().hidden_reason == "含广告内容"
    told = Notification.objects.filter(recipient=world.owner, kind="engage.help").order_by("id")
    assert [n.body for n in told] == ["帮忙取快递", "原因：含广告内容"]  # the reply, then the reason
    assert neighbour.get("/engage/my/help").json() == []
    assert neighbour.get(f"/engage/help/{post['id']}").status_code == 404
    second = owner.post("/engage/help", {**body, "kind": "offer", "title": "可以代买菜"}).json()
    assert neighbour.post(f"/engage/help/{second['id']}/close").status_code == 403
    assert owner.post(f"/engage/help/{second['id']}/close").json()["status"] == "closed"
    r = neighbour.post(f"/engage/help/{second['id']}/replies", {"body": "谢谢"})
    assert (r.status_code, r.json()["code"]) == (409, "post_closed")


def test_it_takes_a_paper_questionnaire_at_the_counter(world, api):
    survey = open_survey(world)
    q = [x.pk for x in survey.questions.all()]
    answers = [
        {"question_id": q[0], "choices": [0]},
        {"question_id": q[1], "choices": [1]},
        {"question_id": q[2], "rating": 3},
    ]
    path = f"/engage/surveys/{survey.pk}/paper-responses"
    r = api(world.staff).post(path, {"house_id": world.neighbour_house.pk, "answers": answers})
    assert r.status_code == 201, r.content
    r = api(world.neighbour).post(f"/engage/surveys/{survey.pk}/responses", {"answers": answers})
    assert (r.status_code, r.json()["code"]) == (409, "already_answered")
    assert (
        api(world.front_desk).post(path, {"house_id": world.house.pk, "answers": answers}).status_code == 403
    )
    assert api(world.outsider).post(path, {"house_id": world.house.pk, "answers": answers}).status_code == 404


def test_staff_see_registrations_confirmed_then_queued_then_cancelled_in_constant_queries(world, api):
    activity = upcoming_activity(world, capacity=1)
    owner, neighbour, tenant = api(world.owner), api(world.neighbour), api(world.tenant)
    path = f"/engage/activities/{activity.pk}/registrations"
    gone = tenant.post(path, {}).json()
    tenant.post(f"/engage/registrations/{gone['id']}/cancel")
    for client in (owner, neighbour, tenant):
        client.post(path, {})
    staff = api(world.staff)

    def listed():
        with CaptureQueriesContext(connection) as reads:
            rows = staff.get(path).json()
        return [(x["status"], x["waiting_position"]) for x in rows], len(reads)

    rows, reads = listed()
    assert rows == [("confirmed", None), ("waiting", 1), ("waiting", 2), ("cancelled", None)]
    unit = world.house.unit
    for i in range(5):
        user = f.user(f"q{i}", phone=f"1360000{i:04d}")
        f.occupy(f.house(unit, f"8{i:02d}", floor=8), f.person(world.a, f"排队{i}", login=user), "owner")
        api(user).post(path, {})
    rows, more_reads = listed()
    assert [p for s, p in rows if s == "waiting"] == [1, 2, 3, 4, 5, 6, 7]
    assert more_reads == reads  # no read per waiting registration

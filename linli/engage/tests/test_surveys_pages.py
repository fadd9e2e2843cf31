"""The survey and activity pages as the personas: a resident answers a survey through the form
and signs up; staff build a survey, read its results with bars, compare satisfaction years, see
the waiting list, check residents in at the door, keep the yellow pages and hide a help post."""

import re

import pytest

from linli.core.shell.common import PAGE_SIZE
from linli.engage.models import HelpPost, Registration, SurveyResponse
from linli.engage.services import activities as activity_services
from linli.engage.services import activities_neighbours
from linli.engage.services import surveys as survey_services
from linli.engage.services.surveys import SATISFACTION_DIMENSIONS
from linli.testing.engage_surveys import open_satisfaction, open_survey, upcoming_activity

pytestmark = pytest.mark.django_db


def test_a_resident_answers_a_survey_through_the_form(world, browser):
    survey = open_survey(world)
    q = list(survey.questions.all())
    owner = browser(world.owner)
    page = owner.get("/engage/surveys/")
    assert survey.title in page.content.decode()
    form = owner.get(f"/engage/surveys/{survey.pk}/").content.decode()
    assert f'name="q{q[0].pk}"' in form and 'id="survey-form"' in form
    r = owner.post(f"/engage/surveys/{survey.pk}/", {f"q{q[0].pk}": "1", f"q{q[2].pk}": "4"})
    assert r.status_code == 422 and "请回答所有必答题" in r.content.decode()
    data = {f"q{q[0].pk}": "1", f"q{q[1].pk}": ["0", "2"], f"q{q[2].pk}": "4", f"q{q[3].pk}": "路灯太暗"}
    r = owner.post(f"/engage/surveys/{survey.pk}/", data)
    assert r.status_code == 302
    assert SurveyResponse.objects.get().answers.count() == 4
    assert "您家已提交本问卷" in browser(world.tenant).get(f"/engage/surveys/{survey.pk}/").content.decode()
    assert browser(world.outsider).get(f"/engage/surveys/{survey.pk}/").status_code == 404


def test_staff_build_publish_and_read_results(world, browser):
    staff = browser(world.staff)
    base = f"/engage/staff/{world.a.id}/surveys/"
    r = staff.post(
        base,
        {
            "title": "垃圾分类",
            "audience": "owners",
            "anonymous": "on",
            "kind": "single",
            "text": "是否支持定时定点",
            "options": "支持\n不支持",
            "required": "on",
        },
    )
    assert r.status_code == 302
    survey = survey_services.Survey.objects.get(title="垃圾分类")
    detail = f"{base}{survey.pk}/"
    staff.post(detail, {"action": "add", "kind": "rating", "text": "当前分类效果", "required": "on"})
    staff.post(detail, {"action": "publish"})
    survey.refresh_from_db()
    assert survey.status == "open" and survey.questions.count() == 2
    survey_services.do_answer_survey(
        actor=world.owner,
        survey=survey,
        answers=[
            {"question_id": x.pk, "choices": [0]}
            if x.kind == "single"
            else {"question_id": x.pk, "rating": 3}
            for x in survey.questions.all()
        ],
    )
    page = staff.get(detail).content.decode()
    assert "<svg" in page and "100%" in page and "结果（1 户已填写）" in page
    assert browser(world.technician).get(detail).status_code == 404
    assert staff.get(base).status_code == 200


def test_the_satisfaction_page_compares_years(world, browser):
    for year, rating in ((2025, 3), (2026, 5)):
        open_satisfaction(world, year, [(world.owner, [rating] * len(SATISFACTION_DIMENSIONS))])
    page = browser(world.staff).get(f"/engage/staff/{world.a.id}/surveys/satisfaction/").content.decode()
    assert "2026 年与 2025 年对比" in page and "+40.0" in page and 'data-dimension="overall"' in page


def test_activity_pages_sign_up_queue_and_check_in(world, browser):
    activity = upcoming_activity(world, capacity=1)
    owner, neighbour = browser(world.owner), browser(world.neighbour)
    assert "中秋游园会" in owner.get("/engage/activities/").content.decode()
    owner.post(f"/engage/activities/{activity.pk}/", {"party_size": "1"})
    neighbour.post(f"/engage/activities/{activity.pk}/", {"party_size": "1"})
    page = owner.get(f"/engage/activities/{activity.pk}/").content.decode()
    assert 'id="checkin-qr"' in page and "<svg" in page
    assert "候补第 1 位" in neighbour.get(f"/engage/activities/{activity.pk}/").content.decode()
    staff = browser(world.staff)
    console = staff.get(f"/engage/staff/{world.a.id}/activities/{activity.pk}/").content.decode()
    assert "王*主" in console and 'id="waiting"' in console
    mine = Registration.objects.get(user=world.owner)
    door = f"/engage/staff/{world.a.id}/activities/{activity.pk}/check-in/"
    r = staff.post(door, {"code": "forged"})
    assert r.status_code == 422 and "签到码无效" in r.content.decode()
    r = staff.post(door, {"code": activity_services.checkin_code(mine)})
    assert "签到成功" in r.content.decode()
    assert browser(world.front_desk).get(door).status_code == 404
    owner.post(f"/engage/activities/{activity.pk}/", {"action": "cancel"})  # checked in: refused
    assert Registration.objects.get(pk=mine.pk).status == "confirmed"


def test_yellow_pages_and_help_moderation_pages(world, browser):
    staff = browser(world.staff)
    staff.post(
        f"/engage/staff/{world.a.id}/activities/directory/",
        {"name": "派出所", "category": "government", "phone": "110"},
    )
    assert "派出所" in browser(world.tenant).get("/engage/activities/directory/").content.decode()
    owner = browser(world.owner)
    r = owner.post("/engage/activities/help/", {"kind": "ask", "title": "借梯子", "body": "换灯泡"})
    post = HelpPost.objects.get()
    assert r.status_code == 302
    browser(world.neighbour).post(f"/engage/activities/help/{post.pk}/", {"action": "offer"})
    browser(world.neighbour).post(
        f"/engage/activities/help/{post.pk}/", {"action": "report", "reason": "骚扰"}
    )
    page = staff.get(f"/engage/staff/{world.a.id}/activities/help/").content.decode()
    assert "借梯子" in page and "王*主" in page
    staff.post(f"/engage/staff/{world.a.id}/activities/help/", {"post": post.pk, "reason": "不实信息"})
    assert HelpPost.objects.get().status == "hidden"
    assert browser(world.neighbour).get(f"/engage/activities/help/{post.pk}/").status_code == 404


def test_the_counter_types_in_a_paper_questionnaire(world, browser):
    survey = open_survey(world)
    q = list(survey.questions.all())
    staff = browser(world.staff)
    page = f"/engage/staff/{world.a.id}/surveys/{survey.pk}/"
    assert 'id="paper-entry"' in staff.get(page).content.decode()
    answers = {f"q{q[0].pk}": "0", f"q{q[1].pk}": ["1"], f"q{q[2].pk}": "5"}
    r = staff.post(page, {"action": "paper", "house": "1号楼-1单元-999", **answers}, follow=True)
    assert "房屋不存在" in r.content.decode()
    r = staff.post(page, {"action": "paper", "house": "1号楼-1单元-302", **answers}, follow=True)
    assert "已录入 1号楼-1单元-302 的纸质问卷" in r.content.decode()
    response = SurveyResponse.objects.get()
    assert response.house_id is None and response.answers.count() == 3
    r = staff.post(page, {"action": "paper", "house": "1号楼-1单元-302", **answers}, follow=True)
    assert "您家已提交过本问卷" in r.content.decode()


def test_the_help_list_pages_through_every_post(world, browser):
    for i in range(PAGE_SIZE + 1):
        activities_neighbours.do_post_help(
            actor=world.owner, community_id=world.a.id, kind="ask", title=f"帖{i:03d}", body="x"
        )
    neighbour = browser(world.neighbour)
    first = neighbour.get("/engage/activities/help/").content.decode()
    assert f"帖{PAGE_SIZE:03d}" in first and "帖000" not in first and 'rel="next"' in first
    next_url = re.search(r'href="(\?cursor=\d+)" rel="next"', first).group(1)
    second = neighbour.get(f"/engage/activities/help/{next_url}").content.decode()
    assert "帖000" in second and f"帖{PAGE_SIZE:03d}" not in second

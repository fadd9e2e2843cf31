"""Surveys (ENG-4): answers checked per question kind, targeting, one response per household,
anonymity (nothing links an answer to a person), results' arithmetic and the satisfaction
survey's year-over-year comparison."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.engage import queries_surveys as queries
from linli.engage.choices_surveys import Audience, QuestionKind
from linli.engage.models import Answer, Survey, SurveyParticipation, SurveyResponse
from linli.engage.services import surveys as services
from linli.testing.engage_surveys import answers_for, open_satisfaction, open_survey, refused
from linli.testing.personas import build_narrowed

pytestmark = pytest.mark.django_db


def answer(actor, survey, **given):
    """`actor` answers `survey` with `answers_for(survey, **given)`."""
    services.do_answer_survey(actor=actor, survey=survey, answers=answers_for(survey, **given))


def answering_refused(expected, actor, survey, answers=None):
    """`actor` answering `survey` (with `answers`, else a complete valid set) is refused."""
    answers = answers_for(survey) if answers is None else answers
    return refused(expected, services.do_answer_survey, actor=actor, survey=survey, answers=answers)


@pytest.fixture
def narrowed(world):
    return build_narrowed(world)


@pytest.fixture
def survey(world):
    return open_survey(world)


def q(survey, n):
    return list(survey.questions.all())[n]


@pytest.mark.parametrize(
    ("n", "answer", "code"),
    [
        (0, {"choices": [3]}, "bad_answer"),  # no such option
        (0, {"choices": [0, 1]}, "bad_answer"),  # two on a single choice
        (0, {"choices": [0], "rating": 3}, "bad_answer"),  # a rating on a choice question
        (0, {"choices": ["0"]}, "bad_answer"),
        (1, {"choices": [1, 1]}, "bad_answer"),
        (1, {"choices": []}, "answer_required"),
        (2, {"rating": 6}, "bad_answer"),
        (2, {"rating": 0}, "bad_answer"),
        (2, {"rating": True}, "bad_answer"),
        (2, {"rating": 3, "text": "好"}, "bad_answer"),
        (2, {}, "answer_required"),
        (3, {"text": "x" * 1001}, "bad_answer"),
        (3, {"text": "建议", "choices": [0]}, "bad_answer"),
    ],
)
def test_each_kind_refuses_an_answer_that_does_not_fit(world, survey, n, answer, code):
    given = [a for a in answers_for(survey) if a["question_id"] != q(survey, n).pk]
    given.append({"question_id": q(survey, n).pk, **answer})
    answering_refused(code, world.owner, survey, given)
    assert not SurveyParticipation.objects.exists() and not SurveyResponse.objects.exists()


def test_an_unknown_or_repeated_question_is_refused(world, survey):
    given = answers_for(survey)
    answering_refused("bad_answer", world.owner, survey, [*given, given[0]])
    other = open_survey(world, title="另一份")
    foreign = [*given, {"question_id": q(other, 0).pk, "choices": [0]}]
    answering_refused("bad_answer", world.owner, survey, foreign)


def test_an_optional_question_may_be_left_blank_and_multiple_choices_are_kept_sorted(world, survey):
    answer(world.owner, survey, multiple=(3, 0), text="")
    assert sorted(a.choices for a in Answer.objects.exclude(choices=[])) == [[0], [0, 3]]
    assert Answer.objects.count() == 3


def test_one_response_per_household_whoever_of_it_answers(world, survey):
    answer(world.owner, survey)
    answering_refused("already_answered", world.owner, survey)
    # The tenant lives in the owner's flat: the same household.
    answering_refused("already_answered", world.tenant, survey)
    answer(world.neighbour, survey)
    assert SurveyResponse.objects.count() == 2 == SurveyParticipation.objects.count()


def test_an_anonymous_response_keeps_no_link_to_its_respondent(world, survey):
    answer(world.owner, survey, text="门禁太慢")
    response = SurveyResponse.objects.get()
    assert response.respondent_id is None and response.house_id is None
    assert response.submitted_on is None  # not even the day: it could name the day's only household
    assert {f.name for f in SurveyParticipation._meta.get_fields()}.isdisjoint({"response", "answers"})
    participation = SurveyParticipation.objects.get()
    assert participation.user_id == world.owner.pk and participation.house_id == world.house.pk
    assert queries.my_answers(world.owner, survey) == []
    assert survey.pk in queries.answered_survey_ids(world.owner)
    assert survey.pk in queries.answered_survey_ids(world.tenant)  # the household has answered


def test_a_named_response_keeps_the_respondent_and_shows_their_answers(world):
    survey = open_survey(world, anonymous=False)
    answer(world.owner, survey, rating=2)
    response = SurveyResponse.objects.get()
    assert (response.respondent_id, response.house_id) == (world.owner.pk, world.house.pk)
    mine = queries.my_answers(world.owner, survey)
    assert [a.rating for _q, a in mine if a and a.rating] == [2]


def test_targeting_by_audience_and_building(world, narrowed):
    owners = open_survey(world, audience=Audience.OWNERS)
    answering_refused("not_targeted", world.tenant, owners)
    answer(world.owner, owners)
    second = open_survey(world, building_id=narrowed.other_building.pk)
    answering_refused("not_targeted", world.owner, second)
    answer(narrowed.other_user, second)
    answering_refused("not_targeted", world.outsider, owners)
    assert second not in queries.resident_surveys(world.owner)
    assert owners not in queries.resident_surveys(world.tenant)
    assert queries.resident_survey(world.owner, second.pk) is None
    assert queries.resident_survey(world.tenant, owners.pk) is None
    assert queries.resident_survey(world.owner, owners.pk) == owners


def test_answers_only_while_open(world, survey):
    now = timezone.now()
    draft = services.do_create_survey(
        actor=world.staff,
        community_id=world.a.id,
        title="草稿",
        questions=[{"kind": "text", "text": "?"}],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    answering_refused("survey_closed", world.owner, draft, [])
    services.do_close_survey(actor=world.staff, survey=survey)
    answering_refused("survey_closed", world.owner, survey)
    later = open_survey(world, opens_at=now + timedelta(hours=1))
    answering_refused("survey_closed", world.owner, later)
    refused("bad_status", services.do_close_survey, actor=world.staff, survey=survey)


def test_setting_up_is_for_engage_run_and_questions_are_checked(world):
    now = timezone.now()
    base = {"community_id": world.a.id, "title": "t", "opens_at": now, "closes_at": now + timedelta(days=1)}
    refused(
        "forbidden",
        services.do_create_survey,
        actor=world.front_desk,
        questions=[{"kind": "text", "text": "?"}],
        **base,
    )
    refused(
        "bad_question",
        services.do_create_survey,
        actor=world.staff,
        questions=[{"kind": "single", "text": "?", "options": ["一"]}],
        **base,
    )
    refused(
        "bad_question",
        services.do_create_survey,
        actor=world.staff,
        questions=[{"kind": "vote", "text": "?"}],
        **base,
    )
    refused("questions_required", services.do_create_survey, actor=world.staff, questions=[], **base)
    draft = services.do_create_survey(actor=world.staff, questions=[{"kind": "text", "text": "?"}], **base)
    services.do_set_questions(actor=world.staff, survey=draft, questions=[{"kind": "rating", "text": "打分"}])
    assert [x.kind for x in draft.questions.all()] == [QuestionKind.RATING]
    services.do_publish_survey(actor=world.staff, survey=draft)
    refused(
        "not_draft",
        services.do_set_questions,
        actor=world.staff,
        survey=draft,
        questions=[{"kind": "text", "text": "?"}],
    )


def test_results_count_share_mean_and_list_free_text(world, survey, narrowed):
    answer(world.owner, survey, single=0, multiple=(0, 1), rating=5, text="多装路灯")
    answer(world.neighbour, survey, single=2, multiple=(1,), rating=2)
    answer(narrowed.other_user, survey, single=0, multiple=(1, 3), rating=4, text="快递柜")
    responses, found = queries.results(survey)
    assert responses == 3
    single, multiple, rating, text = found
    assert [(b.label, b.count) for b in single.bars] == [("东门", 2), ("西门", 0), ("北门", 1)]
    assert single.bars[0].share == pytest.approx(2 / 3)
    assert [b.count for b in multiple.bars] == [1, 3, 0, 1]  # shares of respondents: may add up over 1
    assert multiple.bars[1].share == 1.0
    assert [(b.label, b.count) for b in rating.bars] == [("5", 1), ("4", 1), ("3", 0), ("2", 1), ("1", 0)]
    assert rating.mean == pytest.approx(11 / 3) and rating.score == pytest.approx(73.3)
    assert sorted(text.texts) == ["多装路灯", "快递柜"] and text.answered == 2


def test_the_satisfaction_survey_comes_from_the_template_once_a_year(world):
    survey = open_satisfaction(world, 2025, [])
    dims = [x.dimension for x in survey.questions.all()]
    assert dims == [c for c, _l in services.SATISFACTION_DIMENSIONS] + [""]
    assert survey.anonymous and survey.audience == Audience.RESIDENTS
    now = timezone.now()
    refused(
        "satisfaction_year_exists",
        services.do_create_satisfaction_survey,
        actor=world.staff,
        community_id=world.a.id,
        year=2025,
        opens_at=now,
        closes_at=now + timedelta(days=1),
    )
    refused(
        "template_fixed",
        services.do_set_questions,
        actor=world.staff,
        survey=survey,
        questions=[{"kind": "text", "text": "?"}],
    )


def test_satisfaction_compares_each_dimension_with_the_year_before(world):
    open_satisfaction(
        world, 2025, [(world.owner, [3, 3, 4, 4, 5, 2, 3, 3]), (world.neighbour, [4, 2, 4, 4, 5, 2, 2, 3])]
    )
    this = open_satisfaction(
        world, 2026, [(world.owner, [4, 3, 5, 4, 4, 3, 5, 4]), (world.neighbour, [5, 3, 4, 4, 4, 2, 5, 4])]
    )
    previous, rows = queries.year_over_year(world.staff, this)
    assert previous.year == 2025
    got = {r.code: (r.previous, r.score, r.change) for r in rows}
    assert got["service"] == (70.0, 90.0, 20.0)
    assert got["repair"] == (50.0, 60.0, 10.0)
    assert got["security"] == (100.0, 80.0, -20.0)
    assert got["fees"] == (50.0, 100.0, 50.0)
    assert [r.code for r in rows][-1] == "overall"
    trend = queries.satisfaction_trend(world.staff, world.a.id)
    assert [s.year for s, _scores in trend] == [2025, 2026]
    first, _rows = queries.year_over_year(world.staff, Survey.objects.get(year=2025))
    assert first is None


def test_staff_enter_a_paper_questionnaire_collected_in_the_window(world, survey):
    collected = timezone.localdate()

    def entry(actor, house, **more) -> dict:
        return {
            "actor": actor,
            "survey": survey,
            "house_id": house.pk,
            "answers": answers_for(survey),
            **more,
        }

    enter = services.do_enter_paper_response
    refused("forbidden", enter, **entry(world.front_desk, world.house))
    enter(**entry(world.staff, world.house))
    answering_refused("already_answered", world.tenant, survey)
    refused("not_targeted", enter, **entry(world.staff, world.house_b))
    services.do_close_survey(actor=world.staff, survey=survey)
    enter(**entry(world.staff, world.neighbour_house, collected_on=collected))
    late = entry(world.staff, world.neighbour_house, collected_on=collected + timedelta(days=30))
    refused("survey_closed", enter, **late)
    assert SurveyResponse.objects.filter(respondent__isnull=True, house__isnull=True).count() == 2

"""Surveys (ENG-4): set up by staff holding engage.run, answered once per household.

A survey is built as a draft (its questions replaced as a whole while it is one), then
published; it takes answers between its open and close times while open, and closing it early
is a conditional update. Answering checks the targeting (the community or one building; owners
only or all residents), validates every answer against its question's kind and writes, in one
transaction, the household's participation (unique: a second answer is refused) and the
response. An anonymous response keeps no respondent, no house and no date (see
models/surveys.py).

The yearly property-service satisfaction survey (物业满意度) comes from a built-in template: one
rating question per standard dimension, with the dimension's code, and a free-text question;
every year's survey has the same dimensions on the same 1–5 scale, so years compare.
"""

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.engage.choices_surveys import Audience, QuestionKind, SurveyKind, SurveyStatus
from linli.engage.models import Answer, Question, Survey, SurveyParticipation, SurveyResponse
from linli.registry import queries as registry_queries
from linli.registry.choices import OWNING

RATING_MIN, RATING_MAX = 1, 5
MAX_OPTIONS = 20
TEXT_MAX = 1000

# The satisfaction survey's standard dimensions, in the order asked; codes never change.
SATISFACTION_DIMENSIONS: tuple[tuple[str, Any], ...] = (  # (code, lazy label)
    ("service", _("客服")),
    ("repair", _("维修")),
    ("cleaning", _("保洁")),
    ("greening", _("绿化")),
    ("security", _("安保")),
    ("facilities", _("设施设备")),
    ("fees", _("收费透明")),
    ("overall", _("总体")),
)


# --- setting up ------------------------------------------------------------------------------


def _check_questions(questions: list[dict]) -> list[dict]:
    if not questions:
        raise ServiceError("questions_required", _("请至少设置一个题目"), fields={"questions": _("必填")})
    cleaned = []
    for index, q in enumerate(questions):
        kind, text = q.get("kind"), (q.get("text") or "").strip()
        options = [str(o).strip() for o in q.get("options") or [] if str(o).strip()]
        where = {f"questions.{index}": _("题目设置不完整")}
        if kind not in QuestionKind.values or not text:
            raise ServiceError("bad_question", _("题型或题目无效"), fields=where)
        choice = kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if choice and not 2 <= len(options) <= MAX_OPTIONS:
            raise ServiceError("bad_question", _("选择题需要 2 到 20 个选项"), fields=where)
        if choice and len(set(options)) != len(options):
            raise ServiceError("bad_question", _("选项不能重复"), fields=where)
        cleaned.append(
            {
                "kind": kind,
                "text": text,
                "options": options if choice else [],
                "required": bool(q.get("required", True)),
                "dimension": q.get("dimension", ""),
            }
        )
    return cleaned


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ServiceError(
            "bad_dates", _("截止时间应晚于开始时间"), fields={"closes_at": _("应晚于开始时间")}
        )


@transaction.atomic
def do_create_survey(
    *,
    actor: Actor,
    community_id: int,
    title: str,
    questions: list[dict],
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    audience: str = Audience.RESIDENTS,
    building_id: int | None = None,
    anonymous: bool = True,
    kind: str = SurveyKind.GENERAL,
    year: int | None = None,
) -> Survey:
    """A draft with its questions: [{"kind", "text", "options", "required", "dimension"}]."""
    require(actor, Action.ENGAGE_RUN, community_id, building_id)
    if building_id is not None and not registry_queries.building_in(community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building_id": building_id})
    _check_window(opens_at, closes_at)
    cleaned = _check_questions(questions)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                community_id=community_id,
                title=title.strip(),
                description=description.strip(),
                kind=kind,
                year=year,
                audience=audience,
                building_id=building_id,
                anonymous=anonymous,
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            "satisfaction_year_exists", _("该年度的满意度调查已存在"), fields={"year": year}
        ) from None
    _write_questions(survey, cleaned)
    audit.record(actor=actor, action="engage.survey_created", obj=survey, community_id=community_id)
    return survey


def _write_questions(survey: Survey, cleaned: list[dict]) -> None:
    Question.objects.bulk_create(
        Question(survey=survey, order=i, **q) for i, q in enumerate(cleaned, start=1)
    )


def _require_run(actor: Actor, survey: Survey) -> None:
    require(actor, Action.ENGAGE_RUN, survey.community_id, survey.building_id)


@transaction.atomic
def do_set_questions(*, actor: Actor, survey: Survey, questions: list[dict]) -> Survey:
    """The survey builder: a draft's questions, replaced as a whole."""
    _require_run(actor, survey)
    if survey.kind == SurveyKind.SATISFACTION:
        raise ServiceError("template_fixed", _("满意度调查的题目来自标准模板，不能修改"))
    cleaned = _check_questions(questions)
    if not Survey.objects.filter(pk=survey.pk, status=SurveyStatus.DRAFT).update(updated_at=timezone.now()):
        raise Conflict("not_draft", _("问卷已发布，题目不能再修改"))
    survey.questions.all().delete()
    _write_questions(survey, cleaned)
    audit.record(
        actor=actor, action="engage.survey_questions_set", obj=survey, community_id=survey.community_id
    )
    return survey


def satisfaction_questions() -> list[dict]:
    rated = [
        {
            "kind": QuestionKind.RATING,
            "text": str(_("您对%(name)s的满意程度") % {"name": label}),
            "dimension": code,
        }
        for code, label in SATISFACTION_DIMENSIONS
    ]
    return [
        *rated,
        {"kind": QuestionKind.TEXT, "text": str(_("您对物业服务还有什么意见和建议？")), "required": False},
    ]


def do_create_satisfaction_survey(
    *, actor: Actor, community_id: int, year: int, opens_at: datetime, closes_at: datetime
) -> Survey:
    """The year's 物业满意度 survey from the built-in template: owners and tenants, anonymous."""
    return do_create_survey(
        actor=actor,
        community_id=community_id,
        title=str(_("%(year)s年度物业服务满意度调查") % {"year": year}),
        description=str(_("请为过去一年的物业服务打分（1 分很不满意，5 分很满意），匿名填写。")),
        questions=satisfaction_questions(),
        opens_at=opens_at,
        closes_at=closes_at,
        kind=SurveyKind.SATISFACTION,
        year=year,
    )


def _move(actor: Actor, survey: Survey, old: str, new: str, action: str) -> Survey:
    _require_run(actor, survey)
    if not Survey.objects.filter(pk=survey.pk, status=old).update(status=new, updated_at=timezone.now()):
        raise Conflict("bad_status", _("问卷当前状态不允许此操作"))
    survey.refresh_from_db()
    audit.record(actor=actor, action=action, obj=survey, community_id=survey.community_id)
    return survey


@transaction.atomic
def do_publish_survey(*, actor: Actor, survey: Survey) -> Survey:
    return _move(actor, survey, SurveyStatus.DRAFT, SurveyStatus.OPEN, "engage.survey_published")


@transaction.atomic
def do_close_survey(*, actor: Actor, survey: Survey) -> Survey:
    return _move(actor, survey, SurveyStatus.OPEN, SurveyStatus.CLOSED, "engage.survey_closed")


# --- answering -------------------------------------------------------------------------------


def is_accepting(survey: Survey, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == SurveyStatus.OPEN and survey.opens_at <= now < survey.closes_at


def eligible_houses(user, survey: Survey, households: list | None = None) -> list:
    """The user's homes through which they may answer: in the survey's community (and building),
    as an owner when the survey asks owners only. `households`: the user's, read once by a caller
    that asks about many surveys."""
    found = []
    for house in registry_queries.my_households(user) if households is None else households:
        if house.community_id != survey.community_id:
            continue
        if survey.building_id is not None and house.building_id != survey.building_id:
            continue
        if survey.audience == Audience.OWNERS and getattr(house, "my_relation", None) not in OWNING:
            continue
        found.append(house)
    return found


def _bad(question: Question, message) -> ServiceError:
    return ServiceError("bad_answer", message, fields={question.field_name: message})


def _choices(question: Question, given: list) -> list[int]:
    if any(
        not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(question.options) for i in given
    ):
        raise _bad(question, _("选项不存在"))
    if len(set(given)) != len(given):
        raise _bad(question, _("选项重复"))
    if question.kind == QuestionKind.SINGLE and len(given) != 1:
        raise _bad(question, _("单选题只能选一项"))
    return sorted(given)


def clean_answer(question: Question, raw: dict) -> dict | None:
    """One answer checked against its question's kind: {"choices", "rating", "text"}, or None
    when an optional question is left blank. Fields of another kind are refused."""
    choices, rating, text = raw.get("choices") or [], raw.get("rating"), (raw.get("text") or "").strip()
    kind = QuestionKind(question.kind)
    stray = {
        QuestionKind.SINGLE: rating is not None or text,
        QuestionKind.MULTIPLE: rating is not None or text,
        QuestionKind.RATING: choices or text,
        QuestionKind.TEXT: choices or rating is not None,
    }[kind]
    if stray:
        raise _bad(question, _("答案与题型不符"))
    blank: bool = {QuestionKind.RATING: rating is None, QuestionKind.TEXT: not text}.get(kind, not choices)
    if blank:
        if question.required:
            raise ServiceError(
                "answer_required", _("请回答所有必答题"), fields={question.field_name: _("必答")}
            )
        return None
    if kind == QuestionKind.RATING:
        if not isinstance(rating, int) or isinstance(rating, bool) or not RATING_MIN <= rating <= RATING_MAX:
            raise _bad(question, _("评分应为 1 到 5 分"))
        return {"choices": [], "rating": rating, "text": ""}
    if kind == QuestionKind.TEXT:
        if len(text) > TEXT_MAX:
            raise _bad(question, _("最多 1000 个字符"))
        return {"choices": [], "rating": None, "text": text}
    return {"choices": _choices(question, list(choices)), "rating": None, "text": ""}


def _clean_answers(survey: Survey, answers: list[dict]) -> list[tuple[Question, dict]]:
    questions = {q.pk: q for q in survey.questions.all()}
    given: dict[int, dict] = {}
    for raw in answers:
        qid = raw.get("question_id")
        if qid not in questions or qid in given:
            raise ServiceError("bad_answer", _("题目不存在或重复作答"), fields={"question_id": str(qid)})
        given[qid] = raw
    cleaned = []
    for qid, question in questions.items():
        answer = clean_answer(question, given.get(qid, {}))
        if answer is not None:
            cleaned.append((question, answer))
    return cleaned


@transaction.atomic
def do_answer_survey(
    *, actor: Actor, survey: Survey, answers: list[dict], house_id: int | None = None
) -> None:
    """One household's answers: [{"question_id", "choices", "rating", "text"}]. Refused when the
    survey does not take answers now (survey_closed), the actor is not among those asked
    (not_targeted), their household has answered (already_answered) or an answer does not fit
    its question (bad_answer, answer_required)."""
    if not is_accepting(survey):
        raise ServiceError("survey_closed", _("问卷未开放或已截止"), status=409)
    houses = eligible_houses(actor, survey)
    if house_id is not None:
        houses = [h for h in houses if h.pk == house_id]
    if not houses:
        raise ServiceError("not_targeted", _("本问卷不面向您的房屋"), status=403)
    _record(survey, houses[0], actor, _clean_answers(survey, answers), respondent=actor)
    audit.record(actor=actor, action="engage.survey_answered", obj=survey, community_id=survey.community_id)


def _record(
    survey: Survey, house, by: Actor, cleaned: list, *, respondent: Actor | None, on: date | None = None
) -> None:
    """The household's participation (unique) and the response; an anonymous survey's response
    keeps neither respondent nor house."""
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(
                survey=survey, community_id=survey.community_id, user=by, house=house, key=f"h{house.pk}"
            )
    except IntegrityError:
        raise Conflict("already_answered", _("您家已提交过本问卷")) from None
    named = not survey.anonymous
    response = SurveyResponse.objects.create(
        survey=survey,
        community_id=survey.community_id,
        submitted_on=(on or timezone.localdate()) if named else None,
        respondent=respondent if named else None,
        house=house if named else None,
    )
    Answer.objects.bulk_create(Answer(response=response, question=q, **a) for q, a in cleaned)


@transaction.atomic
def do_enter_paper_response(
    *, actor: Actor, survey: Survey, house_id: int, answers: list[dict], collected_on: date | None = None
) -> None:
    """A paper questionnaire entered by staff (engage.run) for a household without a smartphone,
    collected on `collected_on` (today by default) inside the survey's window — it may be typed
    in after the close. The same checks as online, and the same one response per household."""
    _require_run(actor, survey)
    collected_on = collected_on or timezone.localdate()
    window = (timezone.localtime(survey.opens_at).date(), timezone.localtime(survey.closes_at).date())
    if survey.status == SurveyStatus.DRAFT or not window[0] <= collected_on <= window[1]:
        raise ServiceError("survey_closed", _("问卷未开放或已截止"), status=409)
    house = registry_queries.house_in(survey.community_id, house_id)
    if house is None or (survey.building_id is not None and house.building_id != survey.building_id):
        raise ServiceError("not_targeted", _("本问卷不面向该房屋"), status=403)
    _record(survey, house, actor, _clean_answers(survey, answers), respondent=None, on=collected_on)
    audit.record(
        actor=actor, action="engage.survey_paper_entered", obj=survey, community_id=survey.community_id
    )

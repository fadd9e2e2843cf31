"""Survey pages. The resident's: the surveys that ask their household (to answer, or answered),
one survey's form built from its questions. The console's: the list with the satisfaction
survey's one-click creation, the builder (a draft's questions added and removed), publish and
close, results with server-drawn bars and free text, and the satisfaction survey's year-over-year
scores per dimension."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.engage import queries_surveys as queries
from linli.engage.choices_surveys import Audience, QuestionKind, SurveyKind, SurveyStatus
from linli.engage.services import surveys as services
from linli.registry import queries as registry_queries

RATINGS = (5, 4, 3, 2, 1)


# --- resident --------------------------------------------------------------------------------


@resident_view
def my_surveys(request):
    answered = queries.answered_survey_ids(request.user)
    found = queries.resident_surveys(request.user)
    context = {
        "todo": [s for s in found if s.pk not in answered and services.is_accepting(s)],
        "done": [s for s in found if s.pk in answered],
        "tab": "services",
        "back": reverse("web:services"),
    }
    return render(request, "engage/surveys/resident_list.html", context)


def _answers_from(post, survey) -> list[dict]:
    """The form's fields (q<id>) as the service's answers; what is not a number is left for
    the service to refuse."""
    answers = []
    for q in survey.questions.all():
        name = q.field_name
        if q.kind == QuestionKind.TEXT:
            answers.append({"question_id": q.pk, "text": post.get(name, "")})
        elif q.kind == QuestionKind.RATING:
            raw = post.get(name, "")
            answers.append({"question_id": q.pk, "rating": int(raw) if raw.isdigit() else None})
        else:
            answers.append(
                {"question_id": q.pk, "choices": [int(v) for v in post.getlist(name) if v.isdigit()]}
            )
    return answers


@resident_view
def survey(request, survey_id: int):
    found = queries.resident_survey(request.user, survey_id)
    if found is None:
        raise Http404
    error, status, posted = None, 200, {}
    if request.method == "POST":
        try:
            services.do_answer_survey(
                actor=request.user, survey=found, answers=_answers_from(request.POST, found)
            )
            messages.success(request, _("感谢参与，问卷已提交"))
            return redirect("engage:surveys")
        except ServiceError as exc:
            error, status, posted = exc, 422, request.POST
    context = {
        "survey": found,
        "questions": [(q, posted.getlist(q.field_name) if posted else []) for q in found.questions.all()],
        "answered": found.pk in queries.answered_survey_ids(request.user),
        "accepting": services.is_accepting(found),
        "mine": queries.my_answers(request.user, found),
        "ratings": RATINGS,
        "error": error,
        "tab": "services",
        "back": reverse("engage:surveys"),
    }
    return render(request, "engage/surveys/resident_survey.html", context, status=status)


# --- console ---------------------------------------------------------------------------------


def _local(day: str, fallback: datetime) -> datetime:
    try:
        return datetime.combine(
            datetime.strptime(day, "%Y-%m-%d").date(), time(0), timezone.get_current_timezone()
        )
    except ValueError:
        return fallback


@staff_view(Action.ENGAGE_VIEW, "engage_surveys")
def console_surveys(request, console: Console):
    community_id = console.community.id
    if request.method == "POST":
        return _create(request, console)
    context = {
        "surveys": list(queries.community_surveys(request.user, community_id)),
        "may_run": console.may(Action.ENGAGE_RUN),
        "buildings": registry_queries.buildings(request.user, community_id),
        "audiences": Audience.choices,
        "kinds": QuestionKind.choices,
        "year": timezone.localdate().year,
        "today": timezone.localdate(),
        "in_two_weeks": timezone.localdate() + timedelta(days=14),
    }
    return console.render(request, "engage/surveys/console_list.html", context)


def _question_from(post) -> dict:
    return {
        "kind": post.get("kind", ""),
        "text": post.get("text", ""),
        "options": [line for line in post.get("options", "").splitlines() if line.strip()],
        "required": post.get("required") == "on",
    }


def _create(request, console: Console):
    post, now = request.POST, timezone.now()
    opens, closes = (
        _local(post.get("opens", ""), now),
        _local(post.get("closes", ""), now + timedelta(days=14)),
    )
    try:
        if post.get("what") == "satisfaction":
            year = int(post.get("year", "")) if post.get("year", "").isdigit() else timezone.localdate().year
            created = services.do_create_satisfaction_survey(
                actor=request.user,
                community_id=console.community.id,
                year=year,
                opens_at=opens,
                closes_at=closes,
            )
        else:
            building = post.get("building", "")
            created = services.do_create_survey(
                actor=request.user,
                community_id=console.community.id,
                title=post.get("title", ""),
                description=post.get("description", ""),
                audience=post.get("audience", Audience.RESIDENTS),
                building_id=int(building) if building.isdigit() else None,
                anonymous=post.get("anonymous") == "on",
                opens_at=opens,
                closes_at=closes,
                questions=[_question_from(post)],
            )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(console.reverse("engage:staff_surveys"))
    messages.success(request, _("问卷已创建（草稿），请添加题目后发布"))
    return redirect(console.reverse("engage:staff_survey", created.pk))


def _current_questions(survey) -> list[dict]:
    """A draft's questions as the builder hands them back to do_set_questions."""
    return [
        {"kind": q.kind, "text": q.text, "options": q.options, "required": q.required}
        for q in survey.questions.all()
    ]


def _act(request, survey) -> None:
    post, action = request.POST, request.POST.get("action", "")
    if action == "publish":
        services.do_publish_survey(actor=request.user, survey=survey)
        messages.success(request, _("问卷已发布"))
    elif action == "close":
        services.do_close_survey(actor=request.user, survey=survey)
        messages.success(request, _("问卷已结束"))
    elif action == "add":
        services.do_set_questions(
            actor=request.user, survey=survey, questions=[*_current_questions(survey), _question_from(post)]
        )
    elif action == "paper":
        _paper(request, survey)
    elif action == "remove" and post.get("order", "").isdigit():
        order = int(post["order"])
        kept = [q for i, q in enumerate(_current_questions(survey), start=1) if i != order]
        services.do_set_questions(actor=request.user, survey=survey, questions=kept)


def _paper(request, survey) -> None:
    """A paper questionnaire typed in at the counter, for the house its label names."""
    houses = registry_queries.houses(request.user)
    house = registry_queries.house_by_label(houses, survey.community_id, request.POST.get("house", ""))
    if house is None:
        messages.error(request, _("房屋不存在，请按 楼栋-单元-房号 填写"))
        return
    try:
        collected = datetime.strptime(request.POST.get("collected", ""), "%Y-%m-%d").date()
    except ValueError:
        collected = timezone.localdate()
    services.do_enter_paper_response(
        actor=request.user,
        survey=survey,
        house_id=house.pk,
        answers=_answers_from(request.POST, survey),
        collected_on=collected,
    )
    messages.success(request, _("已录入 %(house)s 的纸质问卷") % {"house": house.label})


@staff_view(Action.ENGAGE_VIEW, "engage_surveys")
def console_survey(request, console: Console, survey_id: int):
    found = queries.surveys(request.user).filter(community_id=console.community.id, pk=survey_id).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        try:
            _act(request, found)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect(console.reverse("engage:staff_survey", found.pk))
    responses, results = queries.results(found)
    context = {
        "survey": found,
        "draft": found.status == SurveyStatus.DRAFT,
        "open": found.status == SurveyStatus.OPEN,
        "satisfaction": found.kind == SurveyKind.SATISFACTION,
        "may_run": console.may(Action.ENGAGE_RUN),
        "responses": responses,
        "results": results,
        "kinds": QuestionKind.choices,
        "questions": [(q, []) for q in found.questions.all()],
        "error": None,
        "ratings": RATINGS,
    }
    return console.render(request, "engage/surveys/console_survey.html", context)


@staff_view(Action.ENGAGE_VIEW, "engage_satisfaction")
def console_satisfaction(request, console: Console):
    """Every year's satisfaction scores per dimension, and the latest year against the one before."""
    trend = queries.satisfaction_trend(request.user, console.community.id)
    latest = trend[-1][0] if trend else None
    previous, rows = queries.year_over_year(request.user, latest) if latest else (None, [])
    codes = [code for code, _label in services.SATISFACTION_DIMENSIONS]
    context = {
        "trend": [(s, [scores.get(code) for code in codes]) for s, scores in trend],
        "latest": latest,
        "previous": previous,
        "rows": rows,
        "dimensions": services.SATISFACTION_DIMENSIONS,
    }
    return console.render(request, "engage/surveys/console_satisfaction.html", context)

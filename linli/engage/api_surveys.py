"""/api/v1/engage: surveys — set up, published and closed by staff holding engage.run, answered
by residents once per household, results and the satisfaction survey's year-over-year scores
for staff (engage.view). Thin: reads through queries_surveys, writes through the services."""

from django.http import Http404
from django.utils import timezone
from ninja import Router, Status

from linli.core.http import community_for, get_or_404
from linli.core.roles import Action
from linli.engage import queries_surveys as queries
from linli.engage.choices_surveys import SurveyKind
from linli.engage.models import Survey
from linli.engage.schemas_surveys import (
    SatisfactionCompareOut,
    SatisfactionIn,
    SurveyAnsweredOut,
    SurveyDetailOut,
    SurveyIn,
    SurveyOut,
    SurveyPaperIn,
    SurveyQuestionsIn,
    SurveyResponseIn,
    SurveyResultsOut,
)
from linli.engage.services import surveys as services

router = Router(tags=["engage-surveys"])


def survey_out(survey: Survey, *, answered: bool | None = None, questions: bool = False) -> dict:
    out = {
        **{f: getattr(survey, f) for f in SurveyOut.model_fields if hasattr(survey, f) and f != "answered"},
        "accepting": services.is_accepting(survey),
        "answered": answered,
    }
    if questions:
        out["questions"] = list(survey.questions.all())
    return out


def _staff_survey(request, survey_id: int) -> Survey:
    return get_or_404(queries.surveys(request.user), pk=survey_id)


# --- resident ---------------------------------------------------------------------------------


@router.get("/my/surveys", response=list[SurveyOut])
def my_surveys(request):
    """The published surveys that ask the user's household, with whether it has answered."""
    answered = queries.answered_survey_ids(request.user)
    return [survey_out(s, answered=s.pk in answered) for s in queries.resident_surveys(request.user)]


@router.post("/surveys/{survey_id}/responses", response={201: SurveyAnsweredOut})
def answer(request, survey_id: int, payload: SurveyResponseIn):
    """409 survey_closed / already_answered, 403 not_targeted, 400 bad_answer / answer_required."""
    survey = queries.resident_survey(request.user, survey_id)
    if survey is None:
        raise Http404
    answers = [a.model_dump() for a in payload.answers]
    services.do_answer_survey(actor=request.user, survey=survey, answers=answers, house_id=payload.house_id)
    return Status(201, {"survey_id": survey.pk, "submitted_on": timezone.localdate()})


@router.get("/surveys/{survey_id}", response=SurveyDetailOut)
def survey_detail(request, survey_id: int):
    """A survey with its questions: staff's, or one that asks the resident."""
    survey = queries.surveys(request.user).filter(pk=survey_id).first() or queries.resident_survey(
        request.user, survey_id
    )
    if survey is None:
        raise Http404
    return survey_out(survey, answered=survey.pk in queries.answered_survey_ids(request.user), questions=True)


# --- staff ------------------------------------------------------------------------------------


@router.get("/communities/{community_id}/surveys", response=list[SurveyOut])
def surveys(request, community_id: int):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return [survey_out(s) for s in queries.community_surveys(request.user, community_id)]


@router.post("/communities/{community_id}/surveys", response={201: SurveyDetailOut})
def create_survey(request, community_id: int, payload: SurveyIn):
    """A draft; 400 bad_question / questions_required / bad_dates, 403 without engage.run."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    values = payload.model_dump()
    survey = services.do_create_survey(actor=request.user, community_id=community_id, **values)
    return Status(201, survey_out(survey, questions=True))


@router.post("/communities/{community_id}/surveys/satisfaction", response={201: SurveyDetailOut})
def create_satisfaction(request, community_id: int, payload: SatisfactionIn):
    """The year's 物业满意度 survey from the template; 409 satisfaction_year_exists."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    survey = services.do_create_satisfaction_survey(
        actor=request.user, community_id=community_id, **payload.model_dump()
    )
    return Status(201, survey_out(survey, questions=True))


@router.put("/surveys/{survey_id}/questions", response=SurveyDetailOut)
def set_questions(request, survey_id: int, payload: SurveyQuestionsIn):
    """A draft's questions, replaced; 409 not_draft, 400 template_fixed."""
    survey = _staff_survey(request, survey_id)
    questions = [q.model_dump() for q in payload.questions]
    services.do_set_questions(actor=request.user, survey=survey, questions=questions)
    return survey_out(survey, questions=True)


@router.post("/surveys/{survey_id}/publish", response=SurveyOut)
def publish(request, survey_id: int):
    """409 bad_status unless a draft."""
    return survey_out(
        services.do_publish_survey(actor=request.user, survey=_staff_survey(request, survey_id))
    )


@router.post("/surveys/{survey_id}/close", response=SurveyOut)
def close(request, survey_id: int):
    """409 bad_status unless open."""
    return survey_out(services.do_close_survey(actor=request.user, survey=_staff_survey(request, survey_id)))


@router.post("/surveys/{survey_id}/paper-responses", response={201: SurveyAnsweredOut})
def enter_paper(request, survey_id: int, payload: SurveyPaperIn):
    """A paper questionnaire typed in by staff (engage.run) for a household: 409 survey_closed
    (collected outside the window) / already_answered, 403 not_targeted."""
    survey = _staff_survey(request, survey_id)
    answers = [a.model_dump() for a in payload.answers]
    collected_on = payload.collected_on or timezone.localdate()
    services.do_enter_paper_response(
        actor=request.user,
        survey=survey,
        house_id=payload.house_id,
        answers=answers,
        collected_on=collected_on,
    )
    return Status(201, {"survey_id": survey.pk, "submitted_on": collected_on})


@router.get("/surveys/{survey_id}/results", response=SurveyResultsOut)
def results(request, survey_id: int):
    survey = _staff_survey(request, survey_id)
    responses, found = queries.results(survey)
    return {
        "survey_id": survey.pk,
        "responses": responses,
        "questions": [
            {
                "question_id": r.question.pk,
                "kind": r.question.kind,
                "text": r.question.text,
                "dimension": r.question.dimension,
                "answered": r.answered,
                "bars": r.bars,
                "mean": r.mean,
                "score": r.score,
                "texts": r.texts,
            }
            for r in found
        ],
    }


@router.get("/surveys/{survey_id}/year-over-year", response=SatisfactionCompareOut)
def year_over_year(request, survey_id: int):
    """A satisfaction survey's score per dimension (mean rating × 20) against the year before."""
    survey = _staff_survey(request, survey_id)
    if survey.kind != SurveyKind.SATISFACTION:
        raise Http404
    previous, rows = queries.year_over_year(request.user, survey)
    return {
        "survey_id": survey.pk,
        "year": survey.year,
        "previous_survey_id": previous.pk if previous else None,
        "previous_year": previous.year if previous else None,
        "dimensions": [
            {
                "dimension": r.code,
                "label": r.label,
                "score": r.score,
                "previous": r.previous,
                "change": r.change,
            }
            for r in rows
        ],
    }

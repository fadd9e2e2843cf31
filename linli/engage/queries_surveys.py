"""Every read of surveys that reaches a user, on `restrict()` (staff) or `own()` (residents), and
the arithmetic of results: counts and shares per option, the rating's distribution, mean and
score (mean × 20, so 5 is 100), free text listed; a satisfaction survey's score per dimension
against the year before."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Avg, Count

from linli.core.roles import Action
from linli.engage.choices_surveys import QuestionKind, SurveyKind, SurveyStatus
from linli.engage.models import Answer, Question, Survey, SurveyParticipation
from linli.engage.services.surveys import SATISFACTION_DIMENSIONS, eligible_houses
from linli.registry import queries as registry_queries


def surveys(user):
    """Staff's surveys (a narrowed member sees its buildings' ones)."""
    return Survey.objects.restrict(user, Action.ENGAGE_VIEW)


def community_surveys(user, community_id: int):
    return surveys(user).filter(community_id=community_id).annotate(answered=Count("participations"))


def resident_surveys(user):
    """Published surveys of the user's communities that ask the user (targeting applied)."""
    households = list(registry_queries.my_households(user))
    found = Survey.objects.own(user).order_by("-opens_at", "-id")
    return [s for s in found if eligible_houses(user, s, households)]


def resident_survey(user, survey_id: int) -> Survey | None:
    """One published survey that asks the user (read alone, not picked from the whole list)."""
    found = Survey.objects.own(user).filter(pk=survey_id).first()
    return found if found is not None and eligible_houses(user, found) else None


def answered_survey_ids(user) -> set[int]:
    """The surveys the user's households have answered (by anyone of the household)."""
    mine = SurveyParticipation.objects.own(user).values_list("survey_id", flat=True)
    return set(mine) | set(SurveyParticipation.objects.filter(user=user).values_list("survey_id", flat=True))


def my_answers(user, survey: Survey) -> list[tuple[Question, Answer | None]]:
    """A named survey's answers of the user's household; an anonymous one's cannot be found."""
    if survey.anonymous:
        return []
    found = {
        a.question_id: a
        for a in Answer.objects.filter(response__survey=survey, response__house_id__in=_house_ids(user))
    }
    return [(q, found.get(q.pk)) for q in survey.questions.all()]


def _house_ids(user):
    return SurveyParticipation.objects.own(user).values_list("house_id", flat=True)


@dataclass
class Bar:
    label: str
    count: int
    share: float  # of the question's answers, 0..1

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    score: float | None = None  # rating mean × 20: 0..100
    texts: list[str] = field(default_factory=list)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def results(survey: Survey) -> tuple[int, list[QuestionResult]]:
    """The number of responses and each question's result. The caller read `survey` through
    `surveys(user)`: results are the staff's."""
    responses = survey.responses.count()
    answers = Answer.objects.filter(question__survey=survey).values_list(
        "question_id", "choices", "rating", "text"
    )
    by_question: dict[int, list[tuple]] = {}
    for qid, choices, rating, text in answers:
        by_question.setdefault(qid, []).append((choices, rating, text))
    found = []
    for question in survey.questions.all():
        rows = by_question.get(question.pk, [])
        result = QuestionResult(question, len(rows))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = Counter(i for choices, _r, _t in rows for i in choices)
            result.bars = [
                Bar(o, counts[i], _share(counts[i], len(rows))) for i, o in enumerate(question.options)
            ]
        elif question.kind == QuestionKind.RATING:
            counts = Counter(r for _c, r, _t in rows)
            result.bars = [Bar(str(n), counts[n], _share(counts[n], len(rows))) for n in range(5, 0, -1)]
            if rows:
                result.mean = sum(r for _c, r, _t in rows) / len(rows)
                result.score = round(result.mean * 20, 1)
        else:
            result.texts = [t for _c, _r, t in rows]
        found.append(result)
    return responses, found


@dataclass
class DimensionRow:
    code: str
    label: str
    score: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.score is None or self.previous is None:
            return None
        return round(self.score - self.previous, 1)


def dimension_scores(survey: Survey) -> dict[str, float]:
    """Each dimension's score (mean rating × 20), averaged in the database."""
    rows = (
        Answer.objects.filter(question__survey=survey, rating__isnull=False)
        .exclude(question__dimension="")
        .values("question__dimension")
        .annotate(mean=Avg("rating"))
    )
    return {r["question__dimension"]: round(r["mean"] * 20, 1) for r in rows}


def previous_satisfaction(user, survey: Survey) -> Survey | None:
    return (
        surveys(user)
        .filter(community_id=survey.community_id, kind=SurveyKind.SATISFACTION, year__lt=survey.year)
        .exclude(status=SurveyStatus.DRAFT)
        .order_by("-year")
        .first()
    )


def year_over_year(user, survey: Survey) -> tuple[Survey | None, list[DimensionRow]]:
    """Each standard dimension's score this year and in the previous satisfaction survey."""
    previous = previous_satisfaction(user, survey)
    now = dimension_scores(survey)
    before = dimension_scores(previous) if previous else {}
    return previous, [
        DimensionRow(code, str(label), now.get(code), before.get(code))
        for code, label in SATISFACTION_DIMENSIONS
    ]


def satisfaction_trend(user, community_id: int) -> list[tuple[Survey, dict[str, float]]]:
    """Every year's satisfaction survey with its dimension scores, oldest first."""
    found = (
        surveys(user)
        .filter(community_id=community_id, kind=SurveyKind.SATISFACTION)
        .exclude(status=SurveyStatus.DRAFT)
        .order_by("year")
    )
    return [(s, dimension_scores(s)) for s in found]


def satisfaction_by_year(community_id: int) -> list[dict]:
    """For dashboards: each year's satisfaction survey (not drafts) with its mean score over the
    dimensions answered (0–100, as dimension_scores), oldest first: [{year, score}]. One query
    for all the years."""
    return satisfaction_by_year_of([community_id])[community_id]


def satisfaction_by_year_of(community_ids) -> dict[int, list[dict]]:
    """satisfaction_by_year() of several communities in one query: {community id: [{year, score}]}."""
    found: dict[int, dict[int, list[float]]] = {c: {} for c in community_ids}
    rows = (
        Answer.objects.filter(
            question__survey__community_id__in=list(found),
            question__survey__kind=SurveyKind.SATISFACTION,
            rating__isnull=False,
        )
        .exclude(question__survey__status=SurveyStatus.DRAFT)
        .exclude(question__dimension="")
        .values_list("question__survey__community_id", "question__survey__year", "question__dimension")
        .annotate(mean=Avg("rating"))
        .order_by()
    )
    for community_id, year, _dimension, mean in rows:
        found[community_id].setdefault(year, []).append(round(mean * 20, 1))
    return {
        c: [{"year": year, "score": round(sum(s) / len(s), 1)} for year, s in sorted(by_year.items())]
        for c, by_year in found.items()
    }

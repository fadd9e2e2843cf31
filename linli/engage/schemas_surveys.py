"""Request and response shapes of the surveys API; limits from the columns."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import Bool, Date, Id, InputSchema, Int, Text, column
from linli.engage.models import Question, Survey

OptionText = Text(60, min_length=1)


class SurveyQuestionIn(InputSchema):
    kind: column(Question, "kind")
    text: column(Question, "text", min_length=1)
    options: list[OptionText] = Field(default_factory=list, max_length=20)
    required: Bool = True


class SurveyIn(InputSchema):
    title: column(Survey, "title", min_length=1)
    description: column(Survey, "description") = ""
    audience: column(Survey, "audience") = "residents"
    building_id: Id | None = None
    anonymous: Bool = True
    opens_at: column(Survey, "opens_at")
    closes_at: column(Survey, "closes_at")
    questions: list[SurveyQuestionIn] = Field(min_length=1, max_length=50)


class SurveyQuestionsIn(InputSchema):
    questions: list[SurveyQuestionIn] = Field(min_length=1, max_length=50)


class SatisfactionIn(InputSchema):
    year: Int(2000, 2999)
    opens_at: column(Survey, "opens_at")
    closes_at: column(Survey, "closes_at")


class SurveyAnswerIn(InputSchema):
    question_id: Id
    choices: list[Int(0, 19)] = Field(default_factory=list, max_length=20)
    rating: Int(1, 5) | None = None
    text: Text(1000, multiline=True) = ""


class SurveyResponseIn(InputSchema):
    answers: list[SurveyAnswerIn] = Field(max_length=50)
    house_id: Id | None = None


class SurveyPaperIn(InputSchema):
    house_id: Id
    answers: list[SurveyAnswerIn] = Field(max_length=50)
    collected_on: Date | None = None


class SurveyQuestionOut(Schema):
    id: int
    order: int
    kind: str
    text: str
    options: list[str]
    required: bool
    dimension: str


class SurveyOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    kind: str
    year: int | None
    audience: str
    building_id: int | None
    anonymous: bool
    status: str
    opens_at: datetime
    closes_at: datetime
    accepting: bool
    answered: bool | None = None  # for a resident: their household has answered


class SurveyDetailOut(SurveyOut):
    questions: list[SurveyQuestionOut]


class SurveyBarOut(Schema):
    label: str
    count: int
    share: float


class SurveyQuestionResultOut(Schema):
    question_id: int
    kind: str
    text: str
    dimension: str
    answered: int
    bars: list[SurveyBarOut]
    mean: float | None
    score: float | None
    texts: list[str]


class SurveyResultsOut(Schema):
    survey_id: int
    responses: int
    questions: list[SurveyQuestionResultOut]


class SatisfactionRowOut(Schema):
    dimension: str
    label: str
    score: float | None
    previous: float | None
    change: float | None


class SatisfactionCompareOut(Schema):
    survey_id: int
    year: int | None
    previous_survey_id: int | None
    previous_year: int | None
    dimensions: list[SatisfactionRowOut]


class SurveyAnsweredOut(Schema):
    survey_id: int
    submitted_on: date

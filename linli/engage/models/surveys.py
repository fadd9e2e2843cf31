"""Surveys (ENG-4): questions of four kinds, targeted at the community or one building and at
all residents or owners only, named or anonymous.

Anonymity is structural: an anonymous survey's `SurveyResponse` has no respondent, no house and
no date (a day alone would name the only household that answered that day), and its primary key
is random, so nothing in the row or its answers leads back to a person. Whether someone has answered is kept apart in
`SurveyParticipation` (who, which household), which holds no answer and no response id: one
response per household is enforced by its unique key (only a household answers: an account
without a home is never targeted).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_surveys import Audience, QuestionKind, SurveyKind, SurveyStatus

__all__ = ["Answer", "Question", "Survey", "SurveyParticipation", "SurveyResponse"]


class Survey(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("标题"), max_length=80)
    description = models.TextField(_("说明"), max_length=1000, blank=True)
    kind = models.CharField(max_length=20, choices=SurveyKind.choices, default=SurveyKind.GENERAL)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)  # satisfaction surveys
    audience = models.CharField(
        _("对象"), max_length=20, choices=Audience.choices, default=Audience.RESIDENTS
    )
    building = models.ForeignKey(  # none: the whole community
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymous = models.BooleanField(_("匿名"), default=True)
    status = models.CharField(max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("问卷")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year"],
                condition=Q(kind="satisfaction"),
                name="engage_one_satisfaction_survey_a_year",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="engage_survey_dates"
            ),
        ]

    @classmethod
    def building_scope_q(cls, building_ids):
        return Q(building_id__in=building_ids)

    @classmethod
    def resident_scope_q(cls, scope):
        # Drafts are the staff's; who may answer is the service's question (targeting).
        return Q(community_id__in=scope.resident_community_ids) & ~Q(status=SurveyStatus.DRAFT)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(_("题型"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=200)
    options = models.JSONField(default=list, blank=True)  # choice questions: their labels in order
    required = models.BooleanField(_("必答"), default=True)
    # A satisfaction dimension's code (客服 "service", 维修 "repair", ...): what years compare by.
    dimension = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["survey_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "order"], name="engage_question_order")]

    @property
    def field_name(self) -> str:
        """The answer's form field and the key of its refusal's `fields`."""
        return f"q{self.pk}"


class SurveyResponse(models.Model):
    """One household's answers. Named surveys keep the respondent and house; anonymous ones
    keep neither (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    submitted_on = models.DateField(null=True, blank=True)  # named surveys only
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("答卷")


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)  # option indexes, from 0
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="engage_answer_once")]


class SurveyParticipation(Timestamped):
    """That a household has answered: no answers, no response."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # "h<house id>": one response per household. Always the house (see services.surveys._record);
    # a unique (survey, house) would say it without the column, at the cost of a migration.
    key = models.CharField(max_length=30)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="engage_one_response_per_household")
        ]

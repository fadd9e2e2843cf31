"""Deliberation (ENG-2): residents' proposals, their discussion, moderation, official replies,
and the owners' backing that makes a proposal an agenda item the committee must answer.

A proposal belongs to the building of its author's home, so that staff narrowed to some
buildings moderate theirs; residents read every proposal of their community.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_notices import Answerer, ProposalStatus


class DeliberationSettings(Timestamped):
    """A community's rules: the owners' share (of the exclusive area) that puts a proposal on the
    agenda, the days the committee has to answer, and the words refused in posts."""

    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    backing_share_bp = models.PositiveIntegerField(_("列入议程的业主面积比例(万分比)"), default=500)
    answer_days = models.PositiveSmallIntegerField(_("答复期限(天)"), default=30)
    banned_words = models.JSONField(_("禁用词"), default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")


class Proposal(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("registry.Building", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=60)  # the registry's name, shown masked
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("内容"), max_length=4000)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    status_before_hidden = models.CharField(max_length=20, choices=ProposalStatus.choices, blank=True)
    hidden_reason = models.CharField(max_length=200, blank=True)
    backers = models.PositiveIntegerField(default=0)
    backed_area = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    agenda_at = models.DateTimeField(null=True, blank=True)
    answer_due = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("议题")
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return self.title


class Comment(Timestamped):
    """A post in a proposal's thread: a resident's, or an official reply marked by whom it
    speaks for."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("registry.Building", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=60)
    body = models.TextField(_("内容"), max_length=2000)
    answerer = models.CharField(_("官方答复"), max_length=20, choices=Answerer.choices, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        ordering = ["id"]


class Report(Timestamped):
    """A resident's report of a proposal or a post, for the moderators' queue."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("registry.Building", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("举报理由"), max_length=200)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "proposal"],
                condition=Q(comment__isnull=True),
                name="engage_report_proposal_once",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="engage_report_comment_once",
            ),
        ]


class Backing(models.Model):
    """An owner's support for a proposal on behalf of one house, with the house's area then."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    area = models.DecimalField(max_digits=9, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "house"], name="engage_backing_house_once")
        ]

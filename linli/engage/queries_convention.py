"""Every read of the convention and violations that reaches a user."""

from django.db.models import QuerySet

from linli.core.roles import Action
from linli.engage.choices_points import ViolationStatus
from linli.engage.models import ConventionVersion, Violation
from linli.engage.queries_points import visible


def versions(user, community_id: int) -> QuerySet:
    """The current version first, then the history."""
    return visible(ConventionVersion, user).filter(community_id=community_id).order_by("-number")


def version(user, version_id: int) -> ConventionVersion | None:
    return visible(ConventionVersion, user).filter(pk=version_id).first()


def violations(user, community_id: int, status: str = "") -> QuerySet:
    found = (
        Violation.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(community_id=community_id)
        .select_related("house__building", "house__unit", "version")
    )
    return found.filter(status=status) if status in ViolationStatus.values else found


def my_violations(user) -> QuerySet:
    return Violation.objects.own(user).select_related("house__building", "house__unit", "version")


def violation(user, violation_id: int) -> Violation | None:
    return (
        visible(Violation, user)
        .select_related("house__building", "house__unit", "version")
        .filter(pk=violation_id)
        .first()
    )

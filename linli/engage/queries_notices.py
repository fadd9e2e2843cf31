"""Reads of notices (ENG-1): staff's through `restrict(user, engage.view)`, a resident's through
the notices delivered to them."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.engage.choices_notices import NoticeStatus
from linli.engage.models import Notice, NoticeAttachment, NoticeHousehold, NoticeRecipient
from linli.engage.services.notices_audience import Target, count
from linli.registry import queries as registry_queries


def notices(user, community_id: int):
    return (
        Notice.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(community_id=community_id)
        .select_related("building", "unit")
        .order_by("-pinned", "-id")
    )


def notice(user, notice_id: int) -> Notice | None:
    return (
        Notice.objects.restrict(user, Action.ENGAGE_VIEW)
        .select_related("building", "unit")
        .filter(pk=notice_id)
        .first()
    )


def preview(target: Target) -> dict[str, int]:
    """How many households and accounts a target reaches: counts only, never who."""
    return count(target)


def _reached_q(notice: Notice) -> Q:
    """A household counts as reached when it confirmed (a must-confirm notice) or read it, or
    when the front desk told it in person."""
    done = "confirmed_at" if notice.must_confirm else "read_at"
    return Q(**{f"{done}__isnull": False}) | Q(told_at__isnull=False)


def households(user, notice: Notice):
    return NoticeHousehold.objects.restrict(user, Action.ENGAGE_VIEW).filter(notice=notice)


def building_rates(user, notice: Notice) -> list[dict]:
    """Per building of the notice (those the user sees): households, read, confirmed, told in
    person, reached and the rate reached/households. One grouped statement."""
    rows = (
        households(user, notice)
        .values("building_id", "building__name")
        .annotate(
            total=Count("id"),
            read=Count("read_at"),
            confirmed=Count("confirmed_at"),
            told=Count("told_at"),
            reached=Count("id", filter=_reached_q(notice)),
        )
        .order_by("building_id")
    )
    return [
        {
            "building_id": r["building_id"],
            "building": r["building__name"],
            "households": r["total"],
            "read": r["read"],
            "confirmed": r["confirmed"],
            "told": r["told"],
            "reached": r["reached"],
            "rate": round(r["reached"] / r["total"], 4) if r["total"] else 0.0,
            "percent": _percent(r["reached"], r["total"]),
        }
        for r in rows
    ]


def totals(rates: list[dict]) -> dict:
    keys = ("households", "read", "confirmed", "told", "reached")
    summed = {k: sum(r[k] for r in rates) for k in keys}
    summed["rate"] = round(summed["reached"] / summed["households"], 4) if summed["households"] else 0.0
    summed["percent"] = _percent(summed["reached"], summed["households"])
    return summed


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else "—"


def unread_households(user, notice: Notice, building_id: int | None = None):
    """The households not reached yet, for the front desk to call or visit, in house order."""
    found = (
        households(user, notice)
        .exclude(_reached_q(notice))
        .select_related("house", "house__building", "house__unit")
    )
    if building_id is not None:
        found = found.filter(building_id=building_id)
    return found


def told_households(user, notice: Notice):
    return (
        households(user, notice)
        .filter(told_at__isnull=False)
        .select_related("house", "house__building", "house__unit", "told_by")
        .order_by("-told_at")
    )


def contacts(house_ids) -> dict[int, list]:
    """The people living in each house today (the registry's household read), for the front
    desk's list: callers mask them."""
    return {house.pk: house.household for house in registry_queries.households(house_ids)}


def attachments(notice: Notice) -> list[NoticeAttachment]:
    return list(NoticeAttachment.objects.filter(notice=notice))


# --- the resident's ------------------------------------------------------------------------------


def _mine(user):
    received = NoticeRecipient.objects.filter(user_id=user.pk, notice_id=OuterRef("pk"))
    return (
        Notice.objects.filter(status=NoticeStatus.PUBLISHED)
        .filter(Exists(received))
        .annotate(
            my_read_at=Subquery(received.values("read_at")[:1]),
            my_household_id=Subquery(received.values("household_id")[:1]),
        )
        # A separate step: an OuterRef nested one subquery deeper would name the household, not
        # the notice (it matched by chance on SQLite, where both ids started at 1).
        .annotate(
            household_confirmed_at=Subquery(
                NoticeHousehold.objects.filter(pk=OuterRef("my_household_id")).values("confirmed_at")[:1]
            )
        )
    )


def my_notices(user):
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    return _mine(user).order_by("-pinned", "-published_at", "-id")


def my_notice(user, notice_id: int) -> Notice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return _mine(user).filter(pk=notice_id).first()


def my_unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return NoticeRecipient.objects.filter(
        user_id=user.pk, read_at__isnull=True, notice__status=NoticeStatus.PUBLISHED
    ).count()


def attachment(user, attachment_id: int) -> NoticeAttachment | None:
    """A file for staff who see its notice, or for a resident it was delivered to."""
    found = NoticeAttachment.objects.filter(pk=attachment_id).select_related("notice").first()
    if found is None:
        return None
    if NoticeAttachment.objects.restrict(user, Action.ENGAGE_VIEW).filter(pk=attachment_id).exists():
        return found
    if (
        found.notice.status == NoticeStatus.PUBLISHED
        and NoticeRecipient.objects.filter(
            user_id=getattr(user, "pk", None), notice_id=found.notice_id
        ).exists()
    ):
        return found
    return None


def may_publish(user, community_id: int) -> bool:
    return scope_of(user).may_in_community(Action.NOTICE_PUBLISH, community_id)

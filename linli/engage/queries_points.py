"""Every read of points that reaches a user: staff through `restrict()`, residents their own
households' (`own()`) and their communities' rules and catalogue."""

from django.db.models import QuerySet

from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.engage.choices_points import RedemptionStatus, VolunteerStatus
from linli.engage.models import (
    CatalogueItem,
    EarningRule,
    PointsAccount,
    PointsEntry,
    PointsPolicy,
    Redemption,
    VolunteerLog,
)
from linli.registry import queries as registry_queries


def visible(model, user, action: str = Action.ENGAGE_VIEW) -> QuerySet:
    """What staff see by their role, and what the user's own homes (or communities) cover."""
    return model.objects.restrict(user, action) | model.objects.own(user)


def may_read_community(user, community_id: int) -> bool:
    """A resident of the community or staff seeing points there (a building is enough)."""
    scope = scope_of(user)
    return community_id in scope.resident_community_ids or scope.may_in_community(
        Action.ENGAGE_VIEW, community_id
    )


def staff_in(user, community_id: int) -> bool:
    return scope_of(user).may_in_community(Action.ENGAGE_VIEW, community_id)


def managed(model, user) -> QuerySet:
    return model.objects.restrict(user, Action.POINTS_MANAGE)


# --- accounts and entries -----------------------------------------------------------------------


def my_accounts(user) -> list[dict]:
    """Each of the user's homes with its balance (0 before anything was earned)."""
    houses = list(registry_queries.my_houses(user))
    balances = dict(PointsAccount.objects.own(user).values_list("house_id", "balance"))
    return [{"house": h, "balance": balances.get(h.pk, 0)} for h in houses]


def account_of_house(user, house_id: int) -> PointsAccount | None:
    return visible(PointsAccount, user).select_related("house").filter(house_id=house_id).first()


def entries(account: PointsAccount) -> QuerySet:
    return PointsEntry.objects.filter(account=account).select_related("actor")


def accounts(user, community_id: int) -> QuerySet:
    return (
        PointsAccount.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(community_id=community_id)
        .select_related("house__building", "house__unit")
        .order_by("-balance", "id")
    )


def balance(house_id: int) -> int:
    """The hot read behind "my points": one indexed row."""
    return PointsAccount.objects.filter(house_id=house_id).values_list("balance", flat=True).first() or 0


# --- rules, policy, catalogue ---------------------------------------------------------------------


def rules(user, community_id: int) -> QuerySet:
    return visible(EarningRule, user).filter(community_id=community_id)


def policy(community_id: int) -> PointsPolicy:
    return PointsPolicy.objects.filter(community_id=community_id).first() or PointsPolicy(
        community_id=community_id
    )


def catalogue(user, community_id: int, *, listed_only: bool = False) -> QuerySet:
    items = visible(CatalogueItem, user).filter(community_id=community_id)
    return items.filter(active=True) if listed_only else items


def item(user, item_id: int) -> CatalogueItem | None:
    return visible(CatalogueItem, user).filter(pk=item_id).first()


# --- redemptions and volunteer hours ----------------------------------------------------------------


def redemptions(user, community_id: int, status: str = "") -> QuerySet:
    found = (
        Redemption.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(community_id=community_id)
        .select_related("item", "house__building", "house__unit", "requested_by")
    )
    return found.filter(status=status) if status in RedemptionStatus.values else found


def my_redemptions(user) -> QuerySet:
    return Redemption.objects.own(user).select_related("item", "house__building", "house__unit")


def redemption(user, redemption_id: int) -> Redemption | None:
    return (
        visible(Redemption, user)
        .select_related("item", "house__building", "house__unit", "account")
        .filter(pk=redemption_id)
        .first()
    )


def volunteer_logs(user, community_id: int, status: str = "") -> QuerySet:
    found = (
        VolunteerLog.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(community_id=community_id)
        .select_related("house__building", "house__unit", "logged_by")
    )
    return found.filter(status=status) if status in VolunteerStatus.values else found


def my_volunteer_logs(user) -> QuerySet:
    return VolunteerLog.objects.own(user).select_related("house__building", "house__unit")


def volunteer_log(user, log_id: int) -> VolunteerLog | None:
    return managed(VolunteerLog, user).select_related("house").filter(pk=log_id).first()

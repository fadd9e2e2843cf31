"""/api/v1/engage/points: the household's points and their history, earning (volunteer hours,
garbage check-ins), the rules, the catalogue and redemptions. Thin: reads through
queries_points, writes through the services (docs/engage.md, "Points and the convention")."""

from django.http import Http404
from ninja import Query, Router, Status

from linli.core.http import community_for, get_or_404
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schema_types import Id
from linli.core.schemas import PageQuery
from linli.engage import queries_points as queries
from linli.engage.models import CatalogueItem, EarningRule, PointsAccount, Redemption, VolunteerLog
from linli.engage.schemas_points import (
    CancelRedemptionIn,
    CatalogueItemIn,
    CatalogueItemOut,
    CatalogueItemPatch,
    PointsAdjustIn,
    PointsEntryOut,
    PointsEntryPage,
    PointsHouseOut,
    PointsPolicyIn,
    PointsPolicyOut,
    PointsRuleIn,
    PointsRuleOut,
    PointsRulePatch,
    RedeemIn,
    RedemptionFilter,
    RedemptionOut,
    StockChangeIn,
    VolunteerIn,
    VolunteerOut,
    VolunteerRejectIn,
)
from linli.engage.services import points, points_catalogue
from linli.registry import queries as registry_queries

router = Router(tags=["engage-points"])


def _readable(request, community_id: int) -> None:
    if not queries.may_read_community(request.user, community_id):
        raise Http404


def redemption_out(r: Redemption) -> dict:
    return {
        "id": r.pk,
        "item_id": r.item_id,
        "item": r.item.name,
        "house_id": r.house_id,
        "house": r.house.label,
        "points": r.points,
        "status": r.status,
        "on_behalf": r.on_behalf,
        "handled_at": r.handled_at,
        "cancel_reason": r.cancel_reason,
        "created_at": r.created_at,
    }


def volunteer_out(v: VolunteerLog) -> dict:
    return {
        "id": v.pk,
        "house_id": v.house_id,
        "house": v.house.label,
        "day": v.day,
        "hours": v.hours,
        "description": v.description,
        "status": v.status,
        "note": v.note,
        "points": v.points,
        "created_at": v.created_at,
    }


def _page(rows_query, page, out):
    rows, cursor = keyset_page(rows_query, cursor=page.cursor, limit=page.limit, newest_first=True)
    return {"items": [out(r) for r in rows], "next_cursor": cursor}


# --- the resident's own ------------------------------------------------------------------------


@router.get("/points/my/accounts", response=list[PointsHouseOut])
def my_accounts(request):
    """The points of each of my households (one account per house)."""
    return [
        {"house_id": a["house"].pk, "house": a["house"].label, "balance": a["balance"]}
        for a in queries.my_accounts(request.user)
    ]


@router.get("/points/my/redemptions", response=list[RedemptionOut])
def my_redemptions(request):
    return [redemption_out(r) for r in queries.my_redemptions(request.user)[:100]]


@router.get("/points/my/volunteer-hours", response=list[VolunteerOut])
def my_volunteer_hours(request):
    return [volunteer_out(v) for v in queries.my_volunteer_logs(request.user)[:100]]


@router.post("/points/volunteer-hours", response={201: VolunteerOut})
def log_volunteer_hours(request, payload: VolunteerIn):
    """Hours volunteered by a resident for their household; points once staff confirm them."""
    log = points.do_log_volunteer_hours(actor=request.user, **payload.dict())
    return Status(201, volunteer_out(log))


@router.get("/points/houses/{house_id}/entries", response=PointsEntryPage)
def house_entries(request, house_id: Id, page: Query[PageQuery]):
    """A household's ledger, newest first: the resident's own, or staff's in their scope."""
    account = queries.account_of_house(request.user, house_id)
    if account is None:
        if registry_queries.lives_in(request.user, house_id):
            return {"items": [], "next_cursor": None, "balance": 0}
        raise Http404
    rows, cursor = keyset_page(
        queries.entries(account), cursor=page.cursor, limit=page.limit, newest_first=True
    )
    return {
        "items": rows,
        "next_cursor": cursor,
        "balance": account.balance,
    }


# --- staff: accounts, adjustments, garbage check-ins ---------------------------------------------


@router.get("/communities/{community_id}/points/accounts", response=list[PointsHouseOut])
def accounts(request, community_id: int):
    """The households with points, highest balance first (staff)."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return [
        {"house_id": a.house_id, "house": a.house.label, "balance": a.balance}
        for a in queries.accounts(request.user, community_id)[:200]
    ]


@router.post("/points/houses/{house_id}/adjust", response={201: PointsEntryOut})
def adjust(request, house_id: Id, payload: PointsAdjustIn):
    """A correction by staff, as a new entry (entries are never changed)."""
    account = get_or_404(queries.managed(PointsAccount, request.user), house_id=house_id)
    return Status(201, points.do_adjust_points(actor=request.user, account=account, **payload.dict()))


@router.post("/points/houses/{house_id}/garbage-checkins", response={201: PointsEntryOut})
def garbage_checkin(request, house_id: Id):
    """A garbage-sorting check-in of the household, up to the rule's daily limit (staff)."""
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    entry = points.do_record_garbage_checkin(
        actor=request.user, community_id=house.community_id, house_id=house_id
    )
    return Status(201, entry)


# --- rules and policy ------------------------------------------------------------------------------


@router.get("/communities/{community_id}/points/rules", response=list[PointsRuleOut])
def rules(request, community_id: int):
    _readable(request, community_id)
    return queries.rules(request.user, community_id)


@router.post("/communities/{community_id}/points/rules", response={201: PointsRuleOut})
def create_rule(request, community_id: int, payload: PointsRuleIn):
    community_for(request, community_id, Action.POINTS_MANAGE)
    return Status(201, points.do_create_rule(actor=request.user, community_id=community_id, **payload.dict()))


@router.patch("/points/rules/{points_rule_id}", response=PointsRuleOut)
def update_rule(request, points_rule_id: int, payload: PointsRulePatch):
    rule = get_or_404(queries.managed(EarningRule, request.user), pk=points_rule_id)
    return points.do_update_rule(actor=request.user, rule=rule, **payload.dict(exclude_unset=True))


@router.get("/communities/{community_id}/points/policy", response=PointsPolicyOut)
def policy(request, community_id: int):
    _readable(request, community_id)
    return queries.policy(community_id)


@router.put("/communities/{community_id}/points/policy", response=PointsPolicyOut)
def set_policy(request, community_id: int, payload: PointsPolicyIn):
    """The expiry rule and the convention's appeal window (days)."""
    community_for(request, community_id, Action.POINTS_MANAGE)
    return points.do_set_policy(actor=request.user, community_id=community_id, **payload.dict())


# --- the catalogue ---------------------------------------------------------------------------------


@router.get("/communities/{community_id}/points/catalogue", response=list[CatalogueItemOut])
def catalogue(request, community_id: int):
    """What the community's households may redeem (residents see the listed items)."""
    _readable(request, community_id)
    staff = queries.staff_in(request.user, community_id)
    return queries.catalogue(request.user, community_id, listed_only=not staff)


@router.post("/communities/{community_id}/points/catalogue", response={201: CatalogueItemOut})
def create_item(request, community_id: int, payload: CatalogueItemIn):
    community_for(request, community_id, Action.POINTS_MANAGE)
    return Status(
        201, points_catalogue.do_create_item(actor=request.user, community_id=community_id, **payload.dict())
    )


@router.patch("/points/catalogue/{points_item_id}", response=CatalogueItemOut)
def update_item(request, points_item_id: int, payload: CatalogueItemPatch):
    item = get_or_404(queries.managed(CatalogueItem, request.user), pk=points_item_id)
    return points_catalogue.do_update_item(actor=request.user, item=item, **payload.dict(exclude_unset=True))


@router.post("/points/catalogue/{points_item_id}/stock", response=CatalogueItemOut)
def change_stock(request, points_item_id: int, payload: StockChangeIn):
    item = get_or_404(queries.managed(CatalogueItem, request.user), pk=points_item_id)
    return points_catalogue.do_change_stock(actor=request.user, item=item, change=payload.change)


@router.post("/points/catalogue/{points_item_id}/redeem", response={201: RedemptionOut})
def redeem(request, points_item_id: int, payload: RedeemIn):
    """One item for a household: a resident's own, or staff at the counter (代办). Refused with
    `out_of_stock`, `insufficient_points` or `item_unavailable` (409), nothing written."""
    item = queries.item(request.user, points_item_id)
    if item is None:
        raise Http404
    found = points_catalogue.do_redeem(actor=request.user, item=item, house_id=payload.house_id)
    return Status(201, redemption_out(queries.redemption(request.user, found.pk) or found))


# --- redemptions -----------------------------------------------------------------------------------


@router.get("/communities/{community_id}/points/redemptions")
def redemptions(request, community_id: int, page: Query[RedemptionFilter]):
    """Redemptions, newest first; `status=requested` is the counter's list to hand over."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return _page(queries.redemptions(request.user, community_id, page.status), page, redemption_out)


@router.post("/points/redemptions/{redemption_id}/fulfil", response=RedemptionOut)
def fulfil(request, redemption_id: int):
    found = get_or_404(
        queries.managed(Redemption, request.user).select_related("item", "house__building", "house__unit"),
        pk=redemption_id,
    )
    return redemption_out(points_catalogue.do_fulfil_redemption(actor=request.user, redemption=found))


@router.post("/points/redemptions/{redemption_id}/cancel", response=RedemptionOut)
def cancel(request, redemption_id: int, payload: CancelRedemptionIn):
    """By the household before collecting, or by staff: stock back, points refunded."""
    found = queries.redemption(request.user, redemption_id)
    if found is None:
        raise Http404
    return redemption_out(
        points_catalogue.do_cancel_redemption(actor=request.user, redemption=found, reason=payload.reason)
    )


# --- volunteer hours (staff) ---------------------------------------------------------------------


@router.get("/communities/{community_id}/points/volunteer-hours")
def volunteer_hours(request, community_id: int, page: Query[RedemptionFilter]):
    """Logged hours; `status=pending` is the confirmations queue."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return _page(queries.volunteer_logs(request.user, community_id, page.status), page, volunteer_out)


@router.post("/points/volunteer-hours/{volunteer_log_id}/confirm", response=VolunteerOut)
def confirm_volunteer(request, volunteer_log_id: int):
    log = queries.volunteer_log(request.user, volunteer_log_id)
    if log is None:
        raise Http404
    return volunteer_out(points.do_confirm_volunteer(actor=request.user, log=log))


@router.post("/points/volunteer-hours/{volunteer_log_id}/reject", response=VolunteerOut)
def reject_volunteer(request, volunteer_log_id: int, payload: VolunteerRejectIn):
    log = queries.volunteer_log(request.user, volunteer_log_id)
    if log is None:
        raise Http404
    return volunteer_out(points.do_reject_volunteer(actor=request.user, log=log, note=payload.note))

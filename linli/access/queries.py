"""Access reads. Staff reads start from restrict(user, action); a resident's reads start from
own(user) (what their homes cover) or their own person ids, like registry.queries.my_households.
Views and routers read only through here."""

import functools
import itertools
import operator
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.utils import timezone

from linli.access import rights
from linli.access.choices import (
    AlertStatus,
    CallStatus,
    CredentialKind,
    Direction,
    GrantSource,
    Method,
    PointKind,
    Reason,
)
from linli.access.decide.sql import pass_source_live_sql
from linli.access.digests import card_digest, clean_card
from linli.access.models import (
    AccessEvent,
    AccessPoint,
    CareAlert,
    CareRule,
    Credential,
    Grant,
    IntercomCall,
    ParkingRecord,
    SecurityEvent,
    Terminal,
    VisitorPass,
    Zone,
)
from linli.core import rawsql
from linli.core.errors import ServiceError
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry.models import Building, House, Occupancy, Person, Unit
from linli.registry.queries import natural
from linli.registry.queries import people as registry_people


def points(user, action: str = Action.ACCESS_VIEW):
    return AccessPoint.objects.restrict(user, action).select_related("building", "unit")


def points_reachable(user):
    """Points a user may address at all: staff's, and those of the communities they live in."""
    mine = AccessPoint.objects.filter(community__in=Community.objects.own(user))
    return (points(user) | mine).distinct()


def zones(user, action: str = Action.ACCESS_VIEW):
    return Zone.objects.restrict(user, action)


def terminals(user, action: str = Action.ACCESS_VIEW):
    return Terminal.objects.restrict(user, action).select_related("point")


def grants(user):
    return Grant.objects.restrict(user, Action.ACCESS_VIEW).select_related("person", "zone", "house")


def events(user):
    """Newest first by when each passage happened (an offline terminal uploads old ones late)."""
    return (
        AccessEvent.objects.restrict(user, Action.ACCESS_VIEW)
        .select_related("point", "person")
        .order_by("-at", "-id")
    )


def security_events(user):
    return SecurityEvent.objects.restrict(user, Action.ACCESS_VIEW).select_related("point")


def passes(user):
    return VisitorPass.objects.restrict(user, Action.ACCESS_VIEW).select_related(
        "house__building", "house__unit"
    )


def parking(user):
    return ParkingRecord.objects.restrict(user, Action.ACCESS_VIEW).select_related(
        "entry_point", "exit_point"
    )


def care_rules(user):
    return CareRule.objects.restrict(user, Action.CARE_VIEW).select_related("person")


def care_alerts(user):
    return CareAlert.objects.restrict(user, Action.CARE_VIEW).select_related("person")


def credentials_of(person_id: int):
    """Never the digests or the embedding: kind, label and dates only (see schemas)."""
    return Credential.objects.filter(person_id=person_id, revoked_at__isnull=True).order_by("kind", "id")


def people(user):
    """The registry's people the user may see, plus the helpers their households let in (a
    nanny has no occupancy, but the family that hired her manages her PIN)."""
    let_in = Grant.objects.own(user).filter(source=GrantSource.HOUSEHOLD, revoked_at__isnull=True)
    helpers = Person.objects.filter(pk__in=let_in.values("person_id"), erased_at__isnull=True)
    return Person.objects.filter(
        Q(pk__in=registry_people(user).values("pk")) | Q(pk__in=helpers.values("pk"))
    )


# --- the resident's own ------------------------------------------------------------------------


def my_people(user, community_id: int | None = None):
    rows = Person.objects.filter(pk__in=scope_of(user).person_ids, erased_at__isnull=True)
    return rows.filter(community_id=community_id) if community_id else rows


def my_points(user, now: datetime | None = None):
    """Active points the user's grants reach now (the decision still checks schedules)."""
    now = now or timezone.now()
    live = Grant.objects.filter(person_id__in=scope_of(user).person_ids, revoked_at__isnull=True).exclude(
        valid_until__lte=now
    )
    return (
        AccessPoint.objects.filter(zones__grants__in=live, is_active=True)
        .distinct()
        .select_related("building", "unit")
        .order_by("kind", *natural("name"), "id")
    )


def household_grants(user, house_id: int):
    """The grants of a house the user lives in: its residents' and the helpers it let in."""
    return (
        Grant.objects.own(user)
        .filter(house_id=house_id, revoked_at__isnull=True)
        .exclude(valid_until__lte=timezone.now())
        .select_related("person", "zone")
        .order_by("source", "id")
    )


def my_passes(user):
    return (
        (VisitorPass.objects.filter(created_by=user) | VisitorPass.objects.own(user))
        .select_related("house__building", "house__unit")
        .order_by("-id")
    )


def my_passes_with_state(user, now: datetime | None = None, limit: int = 100) -> list[VisitorPass]:
    """`with_pass_state(my_passes(user))[:limit]` in one statement of hand-written SQL
    (linli.core.rawsql): the passes a resident made or that are for their homes, newest first,
    with their house, building and unit, and `ended_now` as `rights.pass_ended` says it (from
    the gate's own SQL twin of the rule: a pass whose source is gone ended with its host if it
    has one, else with its issuer)."""
    today = timezone.localdate(now or timezone.now())
    house_ids = sorted(scope_of(user).house_ids)
    live, days = pass_source_live_sql()
    mine = "vp.created_by_id = %s"
    if house_ids:
        mine += f" OR vp.house_id IN ({', '.join(['%s'] * len(house_ids))})"
    sql = f"""
        SELECT CASE WHEN {live} THEN '' WHEN vp.host_id IS NULL THEN %s ELSE %s END,
            {rawsql.columns(VisitorPass, "vp")},
            {rawsql.columns(House, "h")}, {rawsql.columns(Building, "b")}, {rawsql.columns(Unit, "un")}
        FROM {rawsql.table(VisitorPass)} vp
        LEFT JOIN {rawsql.table(House)} h ON h.id = vp.house_id
        LEFT JOIN {rawsql.table(Building)} b ON b.id = h.building_id
        LEFT JOIN {rawsql.table(Unit)} un ON un.id = h.unit_id
        WHERE {mine}
        ORDER BY vp.id DESC LIMIT %s
    """
    params: list = [*([today] * days), Reason.PASS_ISSUER_LEFT.value, Reason.PASS_HOST_LEFT.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, user.pk, *house_ids, limit])
        rows = cursor.fetchall()
    ends = list(itertools.accumulate(rawsql.width(m) for m in (VisitorPass, House, Building, Unit)))
    found = []
    for ended_now, *row in rows:
        visitor_pass = rawsql.instance(VisitorPass, row[: ends[0]])
        visitor_pass.ended_now = ended_now  # type: ignore[attr-defined]  # as with_pass_state annotates
        if visitor_pass.house_id is not None:
            house = rawsql.instance(House, row[ends[0] : ends[1]])
            house.building = rawsql.instance(Building, row[ends[1] : ends[2]])
            house.unit = rawsql.instance(Unit, row[ends[2] : ends[3]])
            visitor_pass.house = house
        found.append(visitor_pass)
    return found


def with_pass_state(passes_qs, now: datetime | None = None):
    """Annotates `ended_now` (pass_host_left, pass_issuer_left or ""), so that a list says why a
    pass ended with its source without one query per row."""
    today = timezone.localdate(now or timezone.now())
    return passes_qs.annotate(ended_now=rights.pass_ended(today))


def my_calls(user, now: datetime | None = None):
    now = now or timezone.now()
    return (
        IntercomCall.objects.own(user)
        .filter(status=CallStatus.RINGING, expires_at__gt=now)
        .select_related("point", "house__building", "house__unit")
    )


def calls_that_rang(user):
    """Calls to the houses the user lives in or once lived in; `rang_me` tells which of the
    latter rang while they still lived there."""
    scope = scope_of(user)
    lived = Occupancy.objects.filter(person_id__in=scope.person_ids).values("house_id")
    return IntercomCall.objects.own(user) | IntercomCall.objects.filter(house_id__in=lived)


def rang_me(user, call: IntercomCall) -> bool:
    """The call is to the user's house, or rang it while the user lived there."""
    scope = scope_of(user)
    if call.house_id in scope.house_ids:
        return True
    return any(
        o.is_active(timezone.localdate(call.created_at))
        or (o.ended_at is not None and o.ended_at >= call.created_at)
        for o in Occupancy.objects.filter(person_id__in=scope.person_ids, house_id=call.house_id)
    )


def my_care_alerts(user):
    """Alerts about people who share a home with the user (family), open first."""
    homes = House.objects.own(user).values("pk")
    family = Person.objects.filter(occupancies__house__in=homes).exclude(pk__in=scope_of(user).person_ids)
    return (
        CareAlert.objects.filter(person__in=family)
        .select_related("person")
        .order_by(Case(When(status=AlertStatus.OPEN, then=0), default=1), "-id")
    )


def my_credentials(user):
    return Credential.objects.filter(
        person_id__in=scope_of(user).person_ids, revoked_at__isnull=True
    ).select_related("house__building", "house__unit")


# --- one object, for a view or an operation ----------------------------------------------------


def grants_of_my_houses(user):
    """Every grant of a house the user lives in (a household head revokes a helper's)."""
    return Grant.objects.own(user)


def calls_to_my_houses(user):
    return IntercomCall.objects.own(user).select_related("point")


def care_alerts_visible(user):
    """Alerts staff may see, and those about the user's family."""
    visible = care_alerts(user) | my_care_alerts(user)
    return CareAlert.objects.filter(pk__in=visible.values("pk")).select_related("person")


def passes_visible(user):
    """Passes staff may see, and the user's own (issued by them or to their house)."""
    visible = passes(user) | my_passes(user)
    return VisitorPass.objects.filter(pk__in=visible.values("pk")).select_related("house")


def shared_pass(pass_id: int, jti: str) -> VisitorPass | None:
    """The pass a signed link names (public by design: the token is the permission)."""
    return (
        VisitorPass.objects.select_related("house__building", "house__unit")
        .filter(pk=pass_id, jti=jti)
        .first()
    )


def face_of(person: Person) -> Credential | None:
    return Credential.objects.filter(person=person, kind="face").first()


def live_credentials():
    """Unrevoked credentials; the caller decides who may act for their person (may_act_for)."""
    return Credential.objects.filter(revoked_at__isnull=True).select_related("person")


def calls_of_terminal(terminal: Terminal):
    """What a terminal (authenticated by its token, not a user) may poll: its own calls."""
    return IntercomCall.objects.filter(terminal=terminal)


def houses_callable(terminal: Terminal):
    """The houses of the terminal's community; the service decides which its door may call."""
    return House.objects.filter(community_id=terminal.community_id)


def closed_parking_stays(community_id: int):
    """Temporary parking stays of a community that have ended (entry and exit known): what
    billing charges. System read for a service that has checked its actor."""
    return ParkingRecord.objects.filter(community_id=community_id, exited_at__isnull=False).order_by("id")


def open_stay(community_id: int, plate_bidx: str) -> tuple[int, datetime, int | None] | None:
    """(id, entered_at, visitor pass) of the car's temporary stay in progress, for parking's
    exit fee. System read: the plate event has authenticated its terminal."""
    return (
        ParkingRecord.objects.filter(community_id=community_id, plate_bidx=plate_bidx, exited_at__isnull=True)
        .values_list("pk", "entered_at", "visitor_pass_id")
        .first()
    )


def terminal_at(community_id: int, point_name: str) -> Terminal | None:
    """The first terminal of a named point (the demo drives its barriers through them)."""
    return (
        Terminal.objects.filter(point__community_id=community_id, point__name=point_name)
        .select_related("point")
        .order_by("id")
        .first()
    )


def open_stays(community_id: int, limit: int = 200) -> list[ParkingRecord]:
    """Temporary stays in progress, newest first, for parking's exit booth page (which checks
    its staff's permission)."""
    return list(
        ParkingRecord.objects.filter(community_id=community_id, exited_at__isnull=True).order_by(
            "-entered_at"
        )[:limit]
    )


def stay(record_id: int) -> ParkingRecord | None:
    """One temporary stay, for the page a driver pays it on (reached by a signed link)."""
    return ParkingRecord.objects.filter(pk=record_id).select_related("community").first()


def _holds(community_id, since: datetime):
    barriers = AccessPoint.objects.filter(community_id=community_id, kind=PointKind.GARAGE_BARRIER).exclude(
        direction=Direction.IN
    )
    return AccessEvent.objects.filter(
        point_id__in=barriers.values("pk"),  # the (point, at) index, not a scan of the community's events
        reason=Reason.PARKING_FEE_UNPAID,
        at__gte=since,
    )


def held_at(record_id: int, since: datetime) -> int | None:
    """The exit barrier where the car of this stay was last held for its fee since `since`:
    where it waits while the driver pays, so that the barrier opens once paid."""
    community = ParkingRecord.objects.filter(pk=record_id).values("community_id")[:1]
    return (
        _holds(community, since)
        .filter(detail__parking=record_id)
        .order_by("-at", "-id")
        .values_list("point_id", flat=True)
        .first()
    )


def held_stays(community_id: int, since: datetime) -> set[int]:
    """The stays held at an exit barrier for their fee since `since` (the booth's list)."""
    return {detail.get("parking") for detail in _holds(community_id, since).values_list("detail", flat=True)}


def card_holder(community_id: int, number: str) -> tuple[int, int | None] | None:
    """(person id, the house the card was issued for) of an active card, for other apps' card
    readers (an e-bike charger); None for an unknown, revoked or malformed card number."""
    try:
        lookup = card_digest(community_id, clean_card(number))
    except ServiceError:
        return None
    row = (
        Credential.objects.filter(
            community_id=community_id, kind=CredentialKind.CARD, lookup=lookup, revoked_at__isnull=True
        )
        .values_list("person_id", "house_id")
        .first()
    )
    return row


def flows(community_id: int, since: datetime, until: datetime) -> dict[str, int]:
    """Passages let through in [since, until), counts only (dashboards): people and vehicles
    (plate reads), in and out; a point that serves both ways counts under neither."""
    counted = AccessEvent.objects.filter(community_id=community_id, at__gte=since, at__lt=until, allowed=True)
    vehicle = Q(method=Method.PLATE)
    return counted.aggregate(
        people_in=Count("id", filter=~vehicle & Q(direction=Direction.IN)),
        people_out=Count("id", filter=~vehicle & Q(direction=Direction.OUT)),
        vehicles_in=Count("id", filter=vehicle & Q(direction=Direction.IN)),
        vehicles_out=Count("id", filter=vehicle & Q(direction=Direction.OUT)),
    )


# Gates and doors one sees on a site plan; unit doors and lifts are inside the buildings.
SITE_POINT_KINDS = (PointKind.COMMUNITY_GATE, PointKind.GARAGE_BARRIER, PointKind.BUILDING_DOOR)


def site_points(community_id: int) -> list[dict]:
    """The community's active gates and building doors for the site map: [{id, name, kind,
    kind_label}]."""
    found = AccessPoint.objects.filter(community_id=community_id, is_active=True, kind__in=SITE_POINT_KINDS)
    return [
        {**row, "kind_label": str(PointKind(row["kind"]).label)}
        for row in found.order_by("name", "id").values("id", "name", "kind")
    ]


def flows_by_hour(upto: Mapping[int, int | None], bounds: list[datetime]) -> dict[int, list[dict[str, int]]]:
    """Passages let through per period between consecutive `bounds` (ascending; 25 bounds make
    a day's 24 hours), counted as flows() counts them, for several communities in one indexed
    read: `upto` maps each community to the newest event id to count (None: all of them; the
    big screen then counts on from there with passages_after): {community id: [{people_in,
    people_out, vehicles_in, vehicles_out}] per period}."""
    periods = len(bounds) - 1
    found = {c: [dict.fromkeys(FLOW_KEYS, 0) for _ in range(periods)] for c in upto}
    if periods < 1 or not upto:
        return found
    period = Case(*(When(at__lt=bound, then=i) for i, bound in enumerate(bounds[1:-1])), default=periods - 1)
    counted = (
        AccessEvent.objects.filter(
            _each_community(upto, "id__lte"), at__gte=bounds[0], at__lt=bounds[-1], allowed=True
        )
        .exclude(direction=Direction.BOTH)
        .annotate(period=period)
        .values_list("community_id", "period", "method", "direction")
        .annotate(n=Count("id"))
    )
    for community_id, i, method, direction, n in counted.order_by():
        found[community_id][i][flow_key(method, direction)] += n
    return found


def _each_community(bound: Mapping[int, int | None], lookup: str) -> Q:
    """Each community's events with its own id bound (`lookup` of the id: id__lte, id__gt),
    ORed: one statement whatever the number of communities, each arm on the (community, id)
    index."""
    return functools.reduce(
        operator.or_,
        (
            Q(community_id=c, **({lookup: event_id} if event_id is not None else {}))
            for c, event_id in bound.items()
        ),
    )


FLOW_KEYS = ("people_in", "people_out", "vehicles_in", "vehicles_out")


def flow_key(method: str, direction: str) -> str:
    """Which of FLOW_KEYS a passage counts under (its direction is in or out)."""
    return f"{'vehicles' if method == Method.PLATE else 'people'}_{direction}"


def latest_event_ids(community_ids) -> dict[int, int]:
    """Each community's newest access event id (0 for none), in one statement: a subquery per
    community down the (community, id) index (a MAX grouped by community would read them all)."""
    newest = AccessEvent.objects.filter(community_id=OuterRef("pk")).order_by("-id").values("id")[:1]
    rows = Community.objects.filter(pk__in=list(community_ids)).annotate(top=Subquery(newest))
    found = dict.fromkeys(community_ids, 0)
    found.update({c: top or 0 for c, top in rows.values_list("id", "top")})
    return found


def passages_after(after: dict[int, int], since: datetime) -> list[tuple[int, int, datetime, str]]:
    """Passages let through (in or out) since `since` with an id above each community's bound in
    `after` ({community id: id}), oldest id first: [(community id, id, at, flow key)], nothing
    about who passed. From the (community, id) index, for several communities in one statement:
    the big screen's counters read only what arrived since their last read, late uploads of an
    offline terminal included."""
    if not after:
        return []
    rows = (
        AccessEvent.objects.filter(_each_community(after, "id__gt"), at__gte=since, allowed=True)
        .exclude(direction=Direction.BOTH)
        .order_by("id")
        .values_list("community_id", "id", "at", "method", "direction")
    )
    return [(c, i, at, flow_key(method, direction)) for c, i, at, method, direction in rows]


def visitors_today(user, community_id: int) -> int:
    """Visitor passes of the community valid at some time today and not revoked, in the user's
    scope: the counter's and the gate's number of the day (the console home)."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    end = start + timedelta(days=1)
    return (
        passes(user)
        .filter(
            community_id=community_id, valid_from__lt=end, valid_until__gte=start, revoked_at__isnull=True
        )
        .count()
    )

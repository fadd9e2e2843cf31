"""What Open311 shows, as the spec's fields: public categories as services, and the requests
that came in through Open311 (a resident's own report never leaves the platform this way: its
description and place may name people). No contact details are ever part of it."""

import re
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from linli.core.models import Community
from linli.workorders import queries
from linli.workorders.choices import OPEN, Source, Status
from linli.workorders.models import Category, Request, RequestEvent

LIMIT = 1000  # the most requests one GET returns (the spec's suggestion)
# Where a client gave only coordinates, `place` holds them as "lat,long".
COORDINATES = re.compile(r"^(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$")

PUBLIC_NOTES = ("reject", "cancel")


def jurisdiction(code: str) -> Community | None:
    return Community.objects.filter(code=code).first()


def services(community: Community) -> list[dict]:
    return [_service(c) for c in queries.public_categories(community.pk)]


def _service(c: Category) -> dict:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description,
        "metadata": bool(c.form_fields),
        "type": "realtime",
        "keywords": ",".join(k for k in (c.kind, c.skill) if k),
        "group": str(c.get_kind_display()),
    }


def service(community: Community, code: str) -> Category | None:
    return queries.public_categories(community.pk).filter(code=code).first()


def definition(c: Category) -> dict:
    return {"service_code": c.code, "attributes": [_attribute(f, n) for n, f in enumerate(c.form_fields, 1)]}


def _attribute(field: dict, order: int) -> dict:
    choices = field.get("choices") or []
    attribute = {
        "variable": True,
        "code": field["key"],
        "datatype": "singlevaluelist" if choices else "string",
        "required": bool(field.get("required")),
        "datatype_description": "",
        "order": order,
        "description": field.get("label") or field["key"],
    }
    if choices:
        attribute["values"] = [{"key": c, "name": c} for c in choices]
    return attribute


def public_requests(community: Community):
    """The requests Open311 may show: opened through it, in a category that is still public."""
    return Request.objects.filter(community=community, source=Source.OPEN311, category__public=True)


def requests(
    community: Community,
    *,
    ids: list[int] | None = None,
    codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> list[dict]:
    """The requests asked for, newest first; ids, when given, override every other filter."""
    found = public_requests(community)
    if ids is not None:
        found = found.filter(pk__in=ids)
    else:
        if codes:
            found = found.filter(category__code__in=codes)
        if start:
            found = found.filter(created_at__gte=start)
        if end:
            found = found.filter(created_at__lte=end)
        if statuses and len(set(statuses)) == 1:
            found = (found.filter if statuses[0] == "open" else found.exclude)(status__in=OPEN)
    last = RequestEvent.objects.filter(request=OuterRef("pk")).order_by("-id")
    # Only the reasons given to the public (why it was rejected or withdrawn): a handler's note on
    # a pause or a transfer may name the household.
    said = last.filter(action__in=PUBLIC_NOTES)
    found = found.select_related("category", "team", "community", "building").annotate(
        last_status=Subquery(last.values("to_status")[:1]), last_note=Subquery(said.values("note")[:1])
    )
    return [_request(r) for r in found.order_by("-created_at", "-id")[:LIMIT]]


def _request(r: Request) -> dict:
    lat, long = _coordinates(r.place)
    return {
        "service_request_id": str(r.pk),
        "status": "open" if r.status in OPEN else "closed",
        "status_notes": _notes(r.last_status or r.status, r.last_note or ""),
        "service_name": r.category.name,
        "service_code": r.category.code,
        "description": r.description,
        "agency_responsible": r.team.name if r.team_id else r.community.name,
        "service_notice": "",
        "requested_datetime": _when(r.created_at),
        "updated_datetime": _when(r.updated_at),
        "expected_datetime": _when(r.resolve_due),
        "address": r.place or (r.building.name if r.building_id else ""),
        "address_id": str(r.building_id) if r.building_id else None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": None,
    }


def _notes(status: str, note: str) -> str:
    """The latest step of the timeline as the reporter reads it: "已派单", "已驳回：原因"."""
    label = str(Status(status).label)
    return f"{label}：{note}" if note else label


def _coordinates(place: str) -> tuple[float | None, float | None]:
    match = COORDINATES.match(place)
    return (float(match[1]), float(match[2])) if match else (None, None)


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def token(community: Community, value: str) -> dict | None:
    found = public_requests(community).filter(token=value).first()
    return {"service_request_id": str(found.pk), "token": found.token} if found else None

"""GeoReport v2's operations. Every refusal is the spec's list of errors, with the HTTP status as
its code: 400 bad input, 403 a missing or invalid api_key, 404 an unknown jurisdiction or request.
A refused POST writes nothing: it runs in one transaction, the key's last use included."""

import re
from datetime import datetime, timedelta
from functools import wraps

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from linli.core import text
from linli.core.errors import Forbidden, ServiceError
from linli.core.models import Community
from linli.workorders.choices import Source
from linli.workorders.models import Category, Request
from linli.workorders.open311 import formats, reads
from linli.workorders.services import intake
from linli.workorders.services.open311_keys import use_api_key

CHANGESET = "2026-12-06T00:00:00+08:00"  # when the endpoints below last changed
WINDOW = timedelta(days=90)  # the default and the widest range of a search by date
ATTRIBUTE = re.compile(r"^attribute\[(.+)\]$")
ID = re.compile(r"^[0-9]{1,18}$")  # an id the database can hold
PHONE = re.compile(r"^[0-9+\- ]*$")


def open311(*methods: str):
    """A GeoReport view: the allowed methods, no CSRF (clients post forms with an api_key), and
    a service error as the spec's error list in the asked format."""

    def decorate(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        @wraps(view)
        def run(request, fmt: str, **kwargs):
            try:
                return view(request, fmt, **kwargs)
            except ServiceError as exc:
                status = exc.status if exc.status in (403, 404) else 400
                return formats.errors(fmt, status, _describe(exc))

        return run

    return decorate


def _describe(exc: ServiceError) -> str:
    details = "；".join(f"{k} {v}" for k, v in exc.fields.items())
    return f"{exc.message}：{details}" if details else str(exc.message)


def _bad(message, name: str) -> ServiceError:
    return ServiceError("invalid_parameter", message, fields={name: _("无效")})


def _param(params: QueryDict, name: str, max_length: int, *, multiline: bool = False) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > max_length:
        raise ServiceError("too_long", _("%(name)s 最多 %(n)s 个字符") % {"name": name, "n": max_length})
    if text.has_control_characters(value, multiline=multiline):
        raise _bad(_("%(name)s 不能包含控制字符") % {"name": name}, name)
    return value


def _jurisdiction(params: QueryDict) -> Community:
    code = _param(params, "jurisdiction_id", 40)
    if not code:
        raise ServiceError("jurisdiction_required", _("请提供 jurisdiction_id（小区编码）"))
    community = reads.jurisdiction(code)
    if community is None:
        raise ServiceError(
            "unknown_jurisdiction", _("没有这个 jurisdiction_id：%(code)s") % {"code": code}, status=404
        )
    return community


def _service(community: Community, params: QueryDict) -> Category:
    code = _param(params, "service_code", 40)
    category = reads.service(community, code) if code else None
    if category is None:
        raise ServiceError("unknown_service", _("没有这个 service_code：%(code)s") % {"code": code or "-"})
    return category


@open311("GET")
def services(request, fmt: str):
    return formats.render(fmt, "services", reads.services(_jurisdiction(request.GET)))


@open311("GET")
def service_definition(request, fmt: str, service_code: str):
    community = _jurisdiction(request.GET)
    category = reads.service(community, service_code)
    if category is None:
        raise ServiceError("unknown_service", _("没有这个 service_code：%(code)s") % {"code": service_code})
    return formats.render(fmt, "service_definition", reads.definition(category))


@open311("GET", "POST")
def service_requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    community = _jurisdiction(request.GET)
    return formats.render(fmt, "service_requests", reads.requests(community, **_filters(request.GET)))


@open311("GET")
def service_request(request, fmt: str, service_request_id: int):
    community = _jurisdiction(request.GET)
    found = reads.requests(community, ids=[service_request_id]) if service_request_id < 2**63 else []
    if not found:
        raise ServiceError("unknown_request", _("没有这个 service_request_id"), status=404)
    return formats.render(fmt, "service_requests", found)


@open311("GET")
def token(request, fmt: str, token: str):
    found = reads.token(_jurisdiction(request.GET), token)
    if found is None:
        raise ServiceError("unknown_token", _("没有这个 token"), status=404)
    return formats.render(fmt, "service_requests", [found])


@open311("GET")
def discovery(request, fmt: str):
    base = request.build_absolute_uri(reverse("open311:services_json")).removesuffix("services.json")
    return formats.render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": "",
            "key_service": "",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base.rstrip("/"),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


# --- reading a search ----------------------------------------------------------------------------


def _filters(params: QueryDict) -> dict:
    ids = _list(params, "service_request_id", reads.LIMIT * 20)
    if ids:
        if not all(ID.match(i) for i in ids):
            raise _bad(_("service_request_id 应为以逗号分隔的编号"), "service_request_id")
        return {"ids": [int(i) for i in ids[: reads.LIMIT]]}
    statuses = _list(params, "status", 20)
    if set(statuses) - {"open", "closed"}:
        raise _bad(_("status 应为 open 或 closed"), "status")
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start and end and (end < start or end - start > WINDOW):
        raise _bad(_("start_date 到 end_date 应在 90 天之内"), "end_date")
    # Neither: the last 90 days; only an end: the 90 days before it; only a start: since then.
    end = end or timezone.now()
    return {
        "codes": _list(params, "service_code", 400),
        "start": start or end - WINDOW,
        "end": end,
        "statuses": statuses,
    }


def _list(params: QueryDict, name: str, max_length: int) -> list[str]:
    return [v.strip() for v in _param(params, name, max_length).split(",") if v.strip()]


def _when(params: QueryDict, name: str) -> datetime | None:
    value = _param(params, name, 40)
    if not value:
        return None
    # An unescaped "+08:00" in a query string arrives as " 08:00".
    value = re.sub(r" (\d\d:?\d\d)$", r"+\1", value) if "T" in value else value
    try:
        found = parse_datetime(value)
        if found is None and (day := parse_date(value)) is not None:
            found = datetime.combine(day, datetime.min.time())
    except ValueError:
        found = None
    if found is None:
        raise _bad(
            _("%(name)s 应为 ISO 8601 格式的时间（如 2026-01-31T08:00:00+08:00）") % {"name": name}, name
        )
    return found if timezone.is_aware(found) else timezone.make_aware(found)


# --- opening a request ---------------------------------------------------------------------------


@transaction.atomic
def _create(request, fmt: str):
    params = request.POST
    raw_key = params.get("api_key", "")
    if not raw_key:
        raise Forbidden(_("缺少 api_key"), code="api_key_required")
    community = _jurisdiction(params)
    use_api_key(raw_key[:100], community.pk)
    opened = intake.open_request(
        actor=None,
        community_id=community.pk,
        category=_service(community, params),
        description=_param(
            params, "description", Request._meta.get_field("description").max_length, multiline=True
        ),
        source=Source.OPEN311,
        **_location(params),
        **_contact(params),
        answers=_attributes(params),
    )
    reply = {
        "service_request_id": str(opened.pk),
        "token": opened.token,
        "service_notice": "",
        "account_id": None,
    }
    return formats.render(fmt, "service_requests", [reply])


def _location(params: QueryDict) -> dict:
    place = _param(params, "address_string", Request._meta.get_field("place").max_length)
    address_id = _param(params, "address_id", 20)
    lat, long = _param(params, "lat", 20), _param(params, "long", 20)
    if lat or long:
        try:
            lat_f, long_f = float(lat), float(long)
        except ValueError:
            raise _bad(_("lat 和 long 应为数字"), "lat") from None
        if not (-90 <= lat_f <= 90 and -180 <= long_f <= 180):
            raise _bad(_("lat 和 long 超出范围"), "lat")
        place = place or f"{lat_f:.6f},{long_f:.6f}"
    if not (place or address_id):
        raise ServiceError("location_required", _("请提供位置：lat 和 long、address_string 或 address_id"))
    if address_id and not ID.match(address_id):
        raise _bad(_("address_id 应为楼栋编号"), "address_id")
    return {"place": place, "building_id": int(address_id) if address_id else None}


def _contact(params: QueryDict) -> dict:
    name = _param(params, "last_name", 40) + _param(params, "first_name", 40)
    email = _param(params, "email", 100)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _bad(_("email 格式不正确"), "email") from None
        name = f"{name} <{email}>".strip()
    phone = _param(params, "phone", 20)
    if not PHONE.match(phone):
        raise _bad(_("phone 格式不正确"), "phone")
    return {"contact_name": name, "contact_phone": phone}


def _attributes(params: QueryDict) -> dict:
    answers = {}
    for key in params:
        match = ATTRIBUTE.match(key)
        if match:
            if len(answers) == 20:
                raise _bad(_("attribute 最多 20 项"), "attribute")
            answers[match[1]] = _param(params, key, 200)
    return answers

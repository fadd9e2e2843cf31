"""How a request comes in: a resident reports (一键报修, 投诉, 随手拍 …), staff enter one for a
resident (代报) or open one themselves, and other apps (IoT alarms, AI-camera events, care
alerts, patrols, plans, playbooks) open one through `open_request` without knowing the
internals. Then it is dispatched the community's way: automatically, to a grab pool, or left
for the desk."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.actor import Actor
from linli.core.errors import Forbidden, ServiceError
from linli.core.permissions import require
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.workorders.choices import DispatchMode, Priority, Source
from linli.workorders.models import Category, Request
from linli.workorders.services import dispatch, flow, notices, sla
from linli.workorders.services.setup import settings_of


def _category(community_id: int, category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id, community_id=community_id, active=True).first()
    if category is None:
        raise ServiceError("unknown_category", _("没有这个报事类别"), fields={"category": category_id})
    return category


def clean_answers(category: Category, answers: dict | None) -> dict:
    """The category's own questions, checked: required ones present, choices among the choices."""
    answers = answers or {}
    cleaned, errors = {}, {}
    for field in category.form_fields:
        key, value = field["key"], answers.get(field["key"])
        if value in (None, ""):
            if field.get("required"):
                errors[key] = _("必填")
            continue
        value = str(value).strip()[:200]
        if field.get("choices") and value not in field["choices"]:
            errors[key] = _("请从选项中选择")
            continue
        cleaned[key] = value
    unknown = set(answers) - {f["key"] for f in category.form_fields}
    for key in sorted(unknown)[:5]:
        errors[str(key)[:40]] = _("未知字段")
    if errors:
        raise ServiceError("invalid_answers", _("报事内容不完整，请检查"), fields=errors)
    return cleaned


@transaction.atomic
def do_report(
    *,
    actor: Actor,
    community_id: int,
    category_id: int,
    description: str,
    house_id: int | None = None,
    building_id: int | None = None,
    place: str = "",
    plan_x: int | None = None,
    plan_y: int | None = None,
    preferred_time: str = "",
    answers: dict | None = None,
    contact_phone: str = "",
) -> Request:
    """A resident's own report. The house must be one of their homes; a report about the
    grounds (随手拍) names a building or a point on the site plan instead."""
    if house_id is not None:
        house = registry_queries.my_houses(actor).filter(pk=house_id, community_id=community_id).first()
        if house is None:
            raise Forbidden(_("只能为自己的房屋报修"), code="not_your_house")
        building_id = house.building_id
    elif community_id not in scope_of(actor).resident_community_ids:
        raise Forbidden(_("您不是本小区的住户"), code="not_a_resident")
    return _open(
        community_id=community_id,
        category=_category(community_id, category_id),
        description=description,
        house_id=house_id,
        building_id=_building_in(community_id, building_id),
        place=place,
        plan_x=plan_x,
        plan_y=plan_y,
        preferred_time=preferred_time,
        answers=answers,
        reporter=actor,
        contact_name=actor.display_name or "",
        contact_phone=contact_phone or actor.phone or "",
        source=Source.RESIDENT,
        actor=actor,
    )


@transaction.atomic
def open_request(
    *,
    actor: Actor | None,
    community_id: int,
    category: Category,
    description: str,
    source: str = Source.STAFF,
    priority: str | None = None,
    building_id: int | None = None,
    house_id: int | None = None,
    place: str = "",
    reporter=None,
    contact_name: str = "",
    contact_phone: str = "",
    parent: Request | None = None,
    answers: dict | None = None,
) -> Request:
    """The API for staff and for other apps: opens a request or incident and dispatches it.
    `actor` None is the system itself (an alarm, a plan); a person must hold dispatch rights."""
    if actor is not None:
        require(actor, Action.WORKORDER_DISPATCH, community_id, building_id)
    if category.community_id != community_id:
        raise ServiceError("unknown_category", _("没有这个报事类别"), fields={"category": category.pk})
    if house_id is not None:
        house = registry_queries.house_in(community_id, house_id)
        if house is None:
            raise ServiceError("unknown_house", _("房屋不存在"), fields={"house": house_id})
        building_id = house.building_id
    return _open(
        community_id=community_id,
        category=category,
        description=description,
        house_id=house_id,
        building_id=_building_in(community_id, building_id),
        place=place,
        priority=priority,
        reporter=reporter,
        contact_name=contact_name,
        contact_phone=contact_phone,
        entered_by=actor if reporter is not None else None,
        source=source,
        parent=parent,
        answers=answers,
        actor=actor,
    )


def _building_in(community_id: int, building_id: int | None) -> int | None:
    if building_id is not None and not registry_queries.building_in(community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building": building_id})
    return building_id


def _open(*, category: Category, description: str, answers, actor, priority=None, **fields) -> Request:
    description = (description or "").strip()
    if not description:
        raise ServiceError("description_required", _("请描述问题"), fields={"description": _("必填")})
    now = timezone.now()
    request = Request(
        category=category,
        kind=category.kind,
        priority=priority or category.default_priority,
        description=description[:1000],
        answers=clean_answers(category, answers),
        team_id=category.default_team_id,
        token=secrets.token_hex(16),
        **fields,
    )
    for key, value in sla.deadlines(request, now).items():
        setattr(request, key, value)
    request.save()
    flow.record_step(request, actor=actor, action="report", at=now)
    return auto_dispatch(request)


def auto_dispatch(request: Request) -> Request:
    """The community's dispatch mode decides: the best handler, the team's pool, or the desk."""
    mode = settings_of(request.community_id).dispatch_mode
    if mode == DispatchMode.MANUAL and request.priority != Priority.URGENT:
        return request
    request = flow.system_move(request, "accept")
    handler = (
        dispatch.choose(request) if mode == DispatchMode.AUTO or request.priority == Priority.URGENT else None
    )
    if handler is None:
        notices.to_pool(request)  # grab mode, or nobody free: the team sees it waiting
        return request
    return flow.system_move(request, "assign", handler=handler)

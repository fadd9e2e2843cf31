"""The installation (ACC-1): points, zones, terminals and the community's signing keys."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import jws
from linli.access.choices import SITE_WIDE_KINDS, ChangeKind, Direction, PointKind, ZoneKind
from linli.access.models import AccessPoint, SigningKey, Terminal, Zone
from linli.access.services import signing_keys
from linli.access.services._common import log_change
from linli.accounts.models import User, hash_token
from linli.core import audit
from linli.core.errors import Conflict, ServiceError
from linli.core.models import Community
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.models import Building, Unit

TERMINAL_TOKEN_PREFIX = "lnt_"


def _point_snapshot(point: AccessPoint) -> dict:
    return {
        "name": point.name,
        "kind": point.kind,
        "building": point.building_id,
        "unit": point.unit_id,
        "direction": point.direction,
        "is_active": point.is_active,
        "allow_temporary_parking": point.allow_temporary_parking,
    }


def _check_place(community: Community, kind: str, building: Building | None, unit: Unit | None) -> None:
    if kind not in PointKind.values:
        raise ServiceError("invalid_point_kind", _("门禁点类型不正确"), fields={"kind": kind})
    if building is not None and building.community_id != community.id:
        raise ServiceError("cross_community", _("楼栋不属于该社区"))
    if unit is not None and unit.building_id != getattr(building, "pk", None):
        raise ServiceError("invalid_unit", _("单元不属于该楼栋"), fields={"unit_id": _("请选择该楼栋的单元")})
    if kind in SITE_WIDE_KINDS and building is not None:
        raise ServiceError("invalid_place", _("小区大门和车库道闸不属于某一栋楼"), fields={"building_id": ""})
    if kind not in SITE_WIDE_KINDS and building is None:
        raise ServiceError("building_required", _("请选择楼栋"), fields={"building_id": _("必填")})
    if kind == PointKind.UNIT_DOOR and unit is None:
        raise ServiceError("unit_required", _("单元门需要选择单元"), fields={"unit_id": _("必填")})


def ensure_all_points_zone(community_id: int) -> Zone:
    zone, created = Zone.objects.get_or_create(
        community_id=community_id, kind=ZoneKind.ALL_POINTS, defaults={"name": "全部门禁"}
    )
    if created:
        zone.points.set(AccessPoint.objects.filter(community_id=community_id))
    return zone


def ensure_building_zone(building: Building) -> Zone:
    """1号楼住户 = the site-wide gates and barriers + the building's own doors and elevators."""
    zone, created = Zone.objects.get_or_create(
        kind=ZoneKind.BUILDING_RESIDENTS,
        building=building,
        defaults={"community_id": building.community_id, "name": f"{building.name}住户"},
    )
    if created:
        zone.points.set(
            AccessPoint.objects.filter(community_id=building.community_id, kind__in=SITE_WIDE_KINDS)
            | AccessPoint.objects.filter(building=building)
        )
    return zone


def _auto_zones_for(point: AccessPoint) -> list[Zone]:
    zones = [ensure_all_points_zone(point.community_id)]
    if point.kind in SITE_WIDE_KINDS:
        zones += list(Zone.objects.filter(community_id=point.community_id, kind=ZoneKind.BUILDING_RESIDENTS))
    else:
        assert point.building is not None  # every point that is not site-wide is in a building
        zones.append(ensure_building_zone(point.building))
    return zones


@transaction.atomic
def do_create_point(
    *,
    actor: User,
    community: Community,
    name: str,
    kind: str,
    building: Building | None = None,
    unit: Unit | None = None,
    direction: str = Direction.BOTH,
    allow_temporary_parking: bool = True,
) -> AccessPoint:
    require(actor, Action.ACCESS_ADMIN, community.id, getattr(building, "pk", None))
    _check_place(community, kind, building, unit)
    if direction not in Direction.values:
        raise ServiceError("invalid_direction", _("方向不正确"), fields={"direction": direction})
    name = (name or "").strip()
    if not name:
        raise ServiceError("invalid_name", _("请填写名称"), fields={"name": _("必填")})
    if AccessPoint.objects.filter(community=community, name=name).exists():
        raise Conflict("duplicate_point", _("该门禁点名称已存在"), fields={"name": name})
    point = AccessPoint.objects.create(
        community=community,
        name=name,
        kind=kind,
        building=building,
        unit=unit,
        direction=direction,
        allow_temporary_parking=allow_temporary_parking,
    )
    for zone in _auto_zones_for(point):
        zone.points.add(point)
    signing_keys.ensure_signing_key(community.id)
    log_change(community.id, ChangeKind.LAYOUT, [point.pk])
    audit.record(
        actor=actor, action="create", obj=point, community_id=community.id, after=_point_snapshot(point)
    )
    return point


@transaction.atomic
def do_update_point(*, actor: User, point: AccessPoint, **changes) -> AccessPoint:
    require(actor, Action.ACCESS_ADMIN, point.community_id, point.building_id)
    allowed = {"name", "direction", "is_active", "allow_temporary_parking"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError("invalid_input", _("不能修改这些字段"), fields={k: _("不可修改") for k in unknown})
    if "direction" in changes and changes["direction"] not in Direction.values:
        raise ServiceError("invalid_direction", _("方向不正确"), fields={"direction": changes["direction"]})
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        clash = AccessPoint.objects.filter(community_id=point.community_id, name=changes["name"])
        if not changes["name"] or clash.exclude(pk=point.pk).exists():
            raise Conflict("duplicate_point", _("该门禁点名称已存在"), fields={"name": changes["name"]})
    before = _point_snapshot(point)
    AccessPoint.objects.filter(pk=point.pk).update(**changes, updated_at=timezone.now())
    point.refresh_from_db()
    log_change(point.community_id, ChangeKind.LAYOUT, [point.pk])
    audit.record_change(
        actor=actor, obj=point, community_id=point.community_id, before=before, snapshot=_point_snapshot
    )
    return point


@transaction.atomic
def do_create_zone(*, actor: User, community: Community, name: str, points: list[AccessPoint]) -> Zone:
    require(actor, Action.ACCESS_ADMIN, community.id)
    name = (name or "").strip()
    if not name:
        raise ServiceError("invalid_name", _("请填写名称"), fields={"name": _("必填")})
    if Zone.objects.filter(community=community, name=name).exists():
        raise Conflict("duplicate_zone", _("该分区名称已存在"), fields={"name": name})
    if any(p.community_id != community.id for p in points):
        raise ServiceError("cross_community", _("门禁点不属于该社区"))
    zone = Zone.objects.create(community=community, name=name, kind=ZoneKind.CUSTOM)
    zone.points.set(points)
    log_change(community.id, ChangeKind.LAYOUT, [None])
    audit.record(
        actor=actor,
        action="create",
        obj=zone,
        community_id=community.id,
        after={"name": name, "points": sorted(p.pk for p in points)},
    )
    return zone


@transaction.atomic
def do_set_zone_points(*, actor: User, zone: Zone, points: list[AccessPoint]) -> Zone:
    require(actor, Action.ACCESS_ADMIN, zone.community_id)
    if zone.kind != ZoneKind.CUSTOM:
        raise Conflict("automatic_zone", _("自动分区随门禁点变化，不能手工修改"))
    if any(p.community_id != zone.community_id for p in points):
        raise ServiceError("cross_community", _("门禁点不属于该社区"))
    before = sorted(zone.points.values_list("pk", flat=True))
    zone.points.set(points)
    log_change(zone.community_id, ChangeKind.LAYOUT, [None])
    audit.record(
        actor=actor,
        action="update",
        obj=zone,
        community_id=zone.community_id,
        before={"points": before},
        after={"points": sorted(p.pk for p in points)},
    )
    return zone


def _clean_public_key(raw: str) -> str:
    if not raw:
        return ""
    try:
        jws.load_public_x(raw)
    except (jws.JwsError, ValueError):
        raise ServiceError(
            "invalid_public_key",
            _("公钥格式不正确"),
            fields={"public_key": _("应为 base64url 编码的 32 字节 Ed25519 公钥")},
        ) from None
    return raw


def _new_token() -> tuple[str, str, str]:
    raw = TERMINAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, raw[:10], hash_token(raw)


@transaction.atomic
def do_register_terminal(
    *, actor: User, point: AccessPoint, name: str, serial: str = "", public_key: str = ""
) -> tuple[Terminal, str]:
    """Returns the terminal and its bearer secret, shown once (only its digest is stored)."""
    require(actor, Action.ACCESS_ADMIN, point.community_id, point.building_id)
    raw, prefix, digest = _new_token()
    terminal = Terminal.objects.create(
        community_id=point.community_id,
        point=point,
        name=(name or "").strip() or point.name,
        serial=serial,
        token_prefix=prefix,
        token_hash=digest,
        public_key=_clean_public_key(public_key),
    )
    audit.record(
        actor=actor,
        action="create",
        obj=terminal,
        community_id=point.community_id,
        after={
            "point": point.pk,
            "name": terminal.name,
            "serial": serial,
            "signed_requests": bool(public_key),
        },
    )
    return terminal, raw


@transaction.atomic
def do_rotate_terminal_credentials(*, actor: User, terminal: Terminal, public_key: str | None = None) -> str:
    """A new secret (and optionally a new public key); the old ones stop working at once."""
    require(actor, Action.ACCESS_ADMIN, terminal.community_id)
    raw, prefix, digest = _new_token()
    changes = {"token_prefix": prefix, "token_hash": digest, "rotated_at": timezone.now()}
    if public_key is not None:
        changes["public_key"] = _clean_public_key(public_key)
    if not Terminal.objects.filter(pk=terminal.pk, revoked_at__isnull=True).update(**changes):
        raise Conflict("terminal_revoked", _("该终端已注销"))
    audit.record(
        actor=actor,
        action="rotate",
        obj=terminal,
        community_id=terminal.community_id,
        after={"public_key_changed": public_key is not None},
    )
    return raw


@transaction.atomic
def do_revoke_terminal(*, actor: User, terminal: Terminal) -> Terminal:
    require(actor, Action.ACCESS_ADMIN, terminal.community_id)
    now = timezone.now()
    if not Terminal.objects.filter(pk=terminal.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    ):
        raise Conflict("terminal_revoked", _("该终端已注销"))
    terminal.refresh_from_db()
    audit.record(actor=actor, action="revoke", obj=terminal, community_id=terminal.community_id)
    return terminal


@transaction.atomic
def do_rotate_signing_key(*, actor: User, community: Community) -> SigningKey:
    """Passes signed with the old key stay valid (previous key in the JWKS); the one before
    that retires and its passes are refused (pass_unknown_key)."""
    require(actor, Action.ACCESS_ADMIN, community.id)
    key = signing_keys.rotate(community.id)
    log_change(community.id, ChangeKind.KEYS, [None])
    audit.record(
        actor=actor,
        action="rotate",
        object_type="access.signingkey",
        object_id=key.kid,
        community_id=community.id,
    )
    return key

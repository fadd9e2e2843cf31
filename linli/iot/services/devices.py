"""Registering devices (IOT-1): a code, a profile, a place, and a token shown once."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import hash_token
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.iot import catalogue
from linli.iot.models import Device, DeviceState, Profile, Rule
from linli.iot.models.devices import CODE_PATTERN
from linli.registry import queries as registry_queries

TOKEN_PREFIX = "lnd_"


def new_token() -> tuple[str, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    return token, hash_token(token)


def snapshot(device: Device) -> dict:
    return {
        "code": device.code,
        "name": device.name,
        "profile": device.profile_id,
        "building": device.building_id,
        "floor": device.floor,
        "place": device.place,
        "params": device.params,
        "active": device.active,
    }


@transaction.atomic
def ensure_profiles(community_id: int) -> int:
    """The built-in profiles and their rules, for a community that has none yet."""
    if Profile.objects.filter(community_id=community_id).exists():
        return 0
    for spec in catalogue.profiles():
        profile = Profile.objects.create(
            community_id=community_id,
            kind=spec["kind"],
            name=spec["name"],
            keys=spec["keys"],
            commands=spec["commands"],
            interval_s=spec["interval_s"],
            offline_after_s=spec["offline_after_s"],
        )
        Rule.objects.bulk_create(
            Rule(community_id=community_id, profile=profile, **rule) for rule in spec["rules"]
        )
    return len(catalogue.profiles())


def _place(community_id: int, building_id: int | None, floor: int | None) -> None:
    if building_id is not None and not registry_queries.building_in(community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building": building_id})
    if floor is not None and not -10 <= floor <= 200:
        raise ServiceError("bad_floor", _("楼层超出范围"), fields={"floor": floor})


def _profile(community_id: int, profile_id: int) -> Profile:
    profile = Profile.objects.filter(pk=profile_id, community_id=community_id).first()
    if profile is None:
        raise ServiceError("unknown_profile", _("没有这个设备档案"), fields={"profile": profile_id})
    return profile


def check_code(code: str) -> str:
    code = (code or "").strip()
    if not re.match(CODE_PATTERN, code):
        raise ServiceError(
            "bad_code", _("设备编号只能包含字母、数字、_ 和 -，最长64位"), fields={"code": code[:64]}
        )
    return code


@transaction.atomic
def do_register_device(
    *,
    actor: Actor | None,
    community_id: int,
    profile_id: int,
    code: str,
    name: str,
    building_id: int | None = None,
    floor: int | None = None,
    place: str = "",
    plan_x: int | None = None,
    plan_y: int | None = None,
    params: dict | None = None,
    simulated: bool = False,
) -> tuple[Device, str]:
    """The device and its token; the token is never shown again."""
    if actor is not None:
        require(actor, Action.IOT_SETUP, community_id, building_id)
    profile = _profile(community_id, profile_id)
    _place(community_id, building_id, floor)
    token, digest = new_token()
    device = Device(
        community_id=community_id,
        profile=profile,
        code=check_code(code),
        name=(name or code).strip()[:60],
        building_id=building_id,
        floor=floor,
        place=place[:100],
        plan_x=plan_x,
        plan_y=plan_y,
        token_hash=digest,
        params=clean_params(params),
        simulated=simulated,
    )
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise Conflict("duplicate_device", _("设备编号已存在"), fields={"code": device.code}) from None
    DeviceState.objects.create(device=device)
    audit.record(actor=actor, action="iot.device_registered", obj=device, community_id=community_id)
    return device, token


def clean_params(params: dict | None) -> dict:
    from linli.iot.rules.spec import RuleSpecError, validate_params

    try:
        return validate_params(params or {})
    except RuleSpecError as e:
        raise ServiceError("bad_params", e.message, fields={f"params.{e.field}": e.message}) from None


def _device(actor: Actor | None, device_id: int, action: str) -> Device:
    device = Device.objects.filter(pk=device_id).select_related("profile").first()
    if device is None:
        raise NotFound()
    if actor is not None:
        require(actor, action, device.community_id, device.building_id)
    return device


@transaction.atomic
def do_update_device(*, actor: Actor, device_id: int, **values) -> Device:
    device = _device(actor, device_id, Action.IOT_SETUP)
    before = snapshot(device)
    if "building_id" in values or "floor" in values:
        _place(
            device.community_id,
            values.get("building_id", device.building_id),
            values.get("floor", device.floor),
        )
        if values.get("building_id") is not None:
            require(actor, Action.IOT_SETUP, device.community_id, values["building_id"])
    if "params" in values:
        values["params"] = clean_params(values["params"])
    if "profile_id" in values:
        values["profile_id"] = _profile(device.community_id, values["profile_id"]).pk
    for field, value in values.items():
        setattr(device, field, value)
    device.save()
    audit.record_change(
        actor=actor, obj=device, community_id=device.community_id, before=before, snapshot=snapshot
    )
    return device


@transaction.atomic
def do_rotate_token(*, actor: Actor | None, device_id: int) -> str:
    """A new token (the old one stops working at once); for a lost or leaked token."""
    device = _device(actor, device_id, Action.IOT_SETUP)
    token, digest = new_token()
    Device.objects.filter(pk=device.pk).update(token_hash=digest)
    audit.record(actor=actor, action="iot.token_rotated", obj=device, community_id=device.community_id)
    return token


@transaction.atomic
def register_simulated(community_id: int, count: int) -> int:
    """`count` more simulated devices spread over the community's profiles (`linli simulate`)."""
    profiles = list(Profile.objects.filter(community_id=community_id).order_by("id"))
    start = Device.objects.filter(community_id=community_id, simulated=True).count()
    for n in range(start, start + count):
        profile = profiles[n % len(profiles)]
        do_register_device(
            actor=None,
            community_id=community_id,
            profile_id=profile.pk,
            code=f"sim-{profile.kind}-{n}",
            name=f"{profile.name} {n}",
            simulated=True,
        )
    return count

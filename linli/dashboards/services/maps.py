"""Writes of the site map (DASH-2): the plan (an uploaded image and/or a drawn outline), the pins
of buildings, access points and devices on it, and each community's place on the street map.
Every write needs screen.manage over the whole community, refuses bad input before anything is
written, and is audited (a pin's move with where it was)."""

import io
import math

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.dashboards import map_files, map_objects
from linli.dashboards.models import MapPin, PinKind, SitePlan, StreetPin

MAX_PLAN_BYTES = 8 * 1024 * 1024
MAX_PLAN_PIXELS = 40_000_000  # more is a decompression bomb, not a site plan
LONG_SIDE = 4096  # a plan is shown full screen at most; more pixels only cost bandwidth
# What a plan may be uploaded as, and what it is stored as: drawings stay lossless.
PLAN_FORMATS = {"PNG": ("PNG", "image/png", "png"), "JPEG": ("JPEG", "image/jpeg", "jpg")}
PLAN_FORMATS["WEBP"] = PLAN_FORMATS["JPEG"]
MAX_OUTLINE_POINTS = 200


def _outside_plan(fields: dict) -> ServiceError:
    return ServiceError("pin_outside_plan", _("位置须在平面图内（0 到 1 之间）"), fields=fields)


def _position(x: float, y: float) -> tuple[float, float]:
    bad = {
        name: _("应在 0 到 1 之间")
        for name, value in (("x", x), ("y", y))
        if not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 1
    }
    if bad:
        raise _outside_plan(bad)
    return float(x), float(y)


def _pin_snapshot(pin) -> dict:
    """Where a pin is (and, on the site plan, what it marks), for the audit trail."""
    marks = {"kind": pin.kind, "object_id": pin.object_id} if isinstance(pin, MapPin) else {}
    return {**marks, "x": round(pin.x, 4), "y": round(pin.y, 4)}


@transaction.atomic
def do_set_pin(*, actor: Actor, community_id: int, kind: str, object_id: int, x: float, y: float) -> MapPin:
    """Places one building, access point or device of the community on its plan, or moves it:
    an upsert keyed by (community, kind, object); a move is audited with where it was."""
    require(actor, Action.SCREEN_MANAGE, community_id)
    x, y = _position(x, y)
    if kind not in PinKind.values:
        raise ServiceError("invalid_pin_kind", _("标注类型不正确"), fields={"kind": _("类型不正确")})
    if object_id not in map_objects.placeable(community_id, kind):
        raise ServiceError(
            "pin_object_not_found",
            _("该小区没有这个%(kind)s") % {"kind": map_objects.KIND_LABELS[PinKind(kind)]},
            fields={"object_id": _("不属于本小区")},
        )
    key = {"community_id": community_id, "kind": kind, "object_id": object_id}
    return _place(MapPin, key, actor=actor, community_id=community_id, x=x, y=y, what="pin")


def _place(model, key: dict, *, actor: Actor, community_id: int, x: float, y: float, what: str):
    """Upsert of a pin keyed by `key`: created (audited as placed), or moved by a conditional
    update of its row, locked meanwhile (audited with where it was)."""
    row = model.objects.select_for_update().filter(**key).first()
    if row is None:
        try:
            with transaction.atomic():  # a second placement racing this one lands as a move
                row = model.objects.create(**key, x=x, y=y)
        except IntegrityError:
            row = model.objects.select_for_update().get(**key)
        else:
            audit.record(
                actor=actor,
                action=f"dashboards.{what}_placed",
                obj=row,
                community_id=community_id,
                after=_pin_snapshot(row),
            )
            return row
    before = _pin_snapshot(row)
    if model.objects.filter(pk=row.pk).update(x=x, y=y) != 1:
        raise ServiceError("pin_not_found", _("该标注已被删除，请刷新后重试"), status=409)
    row.refresh_from_db()
    audit.record_change(
        actor=actor,
        obj=row,
        community_id=community_id,
        before=before,
        snapshot=_pin_snapshot,
        action=f"dashboards.{what}_moved",
    )
    return row


def _plan_of(community_id: int) -> SitePlan:
    plan, _created = SitePlan.objects.select_for_update().get_or_create(community_id=community_id)
    return plan


def _plan_snapshot(plan: SitePlan) -> dict:
    return {
        "image": bool(plan.image_path),
        "width": plan.width,
        "height": plan.height,
        "outline": plan.outline,
    }


def _not_image() -> ServiceError:
    return ServiceError(
        "plan_not_image", _("平面图须为 PNG、JPEG 或 WebP 图片"), fields={"file": _("文件类型不支持")}
    )


def reencode_plan(data: bytes) -> tuple[bytes, str, str, int, int]:
    """The plan as a clean PNG (drawings) or JPEG (photos), at most LONG_SIDE px: whatever the
    upload carried besides pixels is gone. (content, content type, suffix, width, height)"""
    if len(data) > MAX_PLAN_BYTES:
        raise ServiceError(
            "plan_too_large",
            _("平面图不能超过%(mb)sMB") % {"mb": MAX_PLAN_BYTES // (1024 * 1024)},
            fields={"file": _("文件过大")},
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PLAN_FORMATS:
                raise _not_image()
            if probe.width * probe.height > MAX_PLAN_PIXELS:
                raise ServiceError("plan_too_large", _("平面图像素过大"), fields={"file": _("像素过大")})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            stored_as, content_type, suffix = PLAN_FORMATS[image.format or ""]
            pixels = image.convert("RGBA" if stored_as == "PNG" else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_image() from None
    pixels.thumbnail((LONG_SIDE, LONG_SIDE))
    out = io.BytesIO()
    pixels.save(out, stored_as, optimize=True, **({"quality": 85} if stored_as == "JPEG" else {}))
    return out.getvalue(), content_type, suffix, pixels.width, pixels.height


def _save_plan(actor: Actor, plan: SitePlan, before: dict, action: str) -> SitePlan:
    plan.updated_by = actor if getattr(actor, "pk", None) else None
    plan.save()
    audit.record_change(
        actor=actor,
        obj=plan,
        community_id=plan.community_id,
        before=before,
        snapshot=_plan_snapshot,
        action=action,
    )
    return plan


@transaction.atomic
def do_upload_plan(*, actor: Actor, community_id: int, data: bytes) -> SitePlan:
    """Sets the community's plan image (checked and re-encoded first); the pins keep their
    fractions, and the old image's file goes once the change has committed."""
    require(actor, Action.SCREEN_MANAGE, community_id)
    content, content_type, suffix, width, height = reencode_plan(data)
    plan = _plan_of(community_id)
    before, old_path = _plan_snapshot(plan), plan.image_path
    name = map_files.store(community_id, content, suffix)
    transaction.on_commit(lambda: map_files.forget(old_path), robust=True)
    plan.image_path, plan.image_type, plan.width, plan.height = name, content_type, width, height
    return _save_plan(actor, plan, before, "dashboards.plan_uploaded")


@transaction.atomic
def do_set_outline(
    *, actor: Actor, community_id: int, points: list, width: int | None = None, height: int | None = None
) -> SitePlan:
    """Draws the community's boundary: at least three points inside the plan (or none, to clear
    it); `width` and `height` give a drawing without an image its proportions."""
    require(actor, Action.SCREEN_MANAGE, community_id)
    if len(points) > MAX_OUTLINE_POINTS or 0 < len(points) < 3:
        raise ServiceError(
            "invalid_outline",
            _("轮廓须有 3 到 %(n)s 个点") % {"n": MAX_OUTLINE_POINTS},
            fields={"points": _("点数不正确")},
        )
    cleaned = []
    for point in points:
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise ServiceError(
                "invalid_outline", _("轮廓的每个点须为 [x, y]"), fields={"points": _("格式不正确")}
            )
        x, y = _position(*point)
        cleaned.append([round(x, 4), round(y, 4)])
    plan = _plan_of(community_id)
    if (width is not None or height is not None) and plan.image_path:
        raise ServiceError(
            "plan_has_image", _("已上传平面图，尺寸以图片为准"), fields={"width": _("不可修改")}
        )
    before = _plan_snapshot(plan)
    plan.outline = cleaned
    plan.width, plan.height = width or plan.width, height or plan.height
    return _save_plan(actor, plan, before, "dashboards.outline_drawn")


@transaction.atomic
def do_set_street_pin(*, actor: Actor, community_id: int, x: float, y: float) -> StreetPin:
    """Places a community on the street map, or moves it (audited with where it was)."""
    require(actor, Action.SCREEN_MANAGE, community_id)
    x, y = _position(x, y)
    key = {"community_id": community_id}
    return _place(StreetPin, key, actor=actor, community_id=community_id, x=x, y=y, what="street_pin")

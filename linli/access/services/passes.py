"""Visitor passes (ACC-4): a resident invites (with courier/delivery presets), revokes; the
guard registers a walk-in visitor after checking their ID card."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import rights
from linli.access.choices import PASS_PRESETS, ChangeKind, PassKind, Reason
from linli.access.household import own_occupancy
from linli.access.models import AccessPoint, VisitorPass
from linli.access.services import signing_keys
from linli.access.services._common import log_change
from linli.access.services.layout import ensure_building_zone
from linli.accounts.models import User
from linli.core import audit
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.masking import mask_id_number, mask_name, mask_plate
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.registry.models import House
from linli.registry.validators import clean_phone, clean_plate, parse_id_number

MAX_PASS_DAYS = 7
MAX_USES = 50


def _pass_snapshot(p: VisitorPass, gates: list[int]) -> dict:
    return {
        "kind": p.kind,
        "house": p.house_id,
        "visitor": mask_name(p.visitor_name),
        "id_number": mask_id_number(p.visitor_id_number),
        "plate": mask_plate(p.plate),
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "max_uses": p.max_uses,
        "gates": gates,
    }


def _gates_for(house: House, gate_ids: list[int] | None) -> list[AccessPoint]:
    """The points a visitor of this house may pass: its building zone (gates, barriers, the
    building's doors and elevators), or a subset of it."""
    zone_points = list(ensure_building_zone(house.building).points.filter(is_active=True))
    if not gate_ids:
        return zone_points
    chosen = [p for p in zone_points if p.pk in set(gate_ids)]
    if len(chosen) != len(set(gate_ids)):
        raise ServiceError(
            "invalid_gates", _("只能选择本楼可通行的门"), fields={"gates": _("包含不可用的门")}
        )
    return chosen


def _create(
    *,
    actor: User,
    house: House,
    kind: str,
    visitor_name: str,
    valid_from: datetime | None,
    valid_until: datetime | None,
    max_uses: int | None,
    gate_ids: list[int] | None,
    visitor_phone: str = "",
    plate: str = "",
    purpose: str = "",
    id_number: str = "",
    host_id: int | None = None,
) -> VisitorPass:
    if kind not in PassKind.values:
        raise ServiceError("invalid_pass_kind", _("通行证类型不正确"), fields={"kind": kind})
    name = (visitor_name or "").strip()
    if not name or len(name) > 60:
        raise ServiceError("invalid_name", _("请填写访客称呼"), fields={"visitor_name": _("1到60个字")})
    now = timezone.now()
    default_span, default_uses = PASS_PRESETS[kind]
    valid_from = valid_from or now
    valid_until = valid_until or valid_from + default_span
    if valid_until <= valid_from:
        raise ServiceError(
            "window_ends_before_start", _("结束时间应晚于开始时间"), fields={"valid_until": ""}
        )
    if valid_until <= now:
        raise ServiceError("window_in_past", _("结束时间已过"), fields={"valid_until": _("应晚于现在")})
    if valid_until - valid_from > timedelta(days=MAX_PASS_DAYS):
        raise ServiceError("window_too_long", _("通行证最长有效7天"), fields={"valid_until": _("不超过7天")})
    uses = default_uses if max_uses is None else max_uses
    if not 1 <= uses <= MAX_USES:
        raise ServiceError("invalid_max_uses", _("可用次数应为1到50次"), fields={"max_uses": "1-50"})
    gates = _gates_for(house, gate_ids)
    fields = {}
    if visitor_phone:
        fields["visitor_phone"] = clean_phone(visitor_phone, "visitor_phone")
    if plate:
        plate = clean_plate(plate)
        fields.update(plate=plate, plate_bidx=blind_index("plate", plate))
    if id_number:
        number, _born, _gender = parse_id_number(id_number)
        fields.update(visitor_id_number=number, visitor_id_bidx=blind_index("id_number", number))
    visitor_pass = VisitorPass.objects.create(
        community_id=house.community_id,
        kind=kind,
        house=house,
        host_id=host_id,
        created_by=actor if getattr(actor, "pk", None) else None,
        visitor_name=name,
        purpose=(purpose or "").strip()[:100],
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=uses,
        jti=secrets.token_hex(16),
        **fields,
    )
    visitor_pass.gates.add(*gates)  # a new pass has none: no need to read them first (set)
    # Its source was checked just now, in this transaction (the host lives here, or the issuer is
    # on duty): the answer need not ask the database whether it has ended.
    visitor_pass.ended_now = ""  # type: ignore[attr-defined]  # the memo source_ended reads
    signing_keys.ensure_signing_key(house.community_id)
    audit.record(
        actor=actor,
        action="create",
        obj=visitor_pass,
        community_id=house.community_id,
        after=_pass_snapshot(visitor_pass, [g.pk for g in gates]),
    )
    return visitor_pass


@transaction.atomic
def do_create_pass(
    *,
    actor: User,
    house: House,
    visitor_name: str,
    kind: str = PassKind.VISITOR,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_uses: int | None = None,
    gate_ids: list[int] | None = None,
    visitor_phone: str = "",
    plate: str = "",
    purpose: str = "",
) -> VisitorPass:
    """Anyone living in the house (or staff who register visitors) invites a visitor."""
    occupancy = own_occupancy(actor, house.pk)
    if occupancy is None and not may(actor, Action.VISITOR_REGISTER, house.community_id):
        raise Forbidden(_("只有本户住户可以邀请访客"))
    if kind == PassKind.WALK_IN:
        raise ServiceError("invalid_pass_kind", _("现场访客请由门岗登记"), fields={"kind": kind})
    return _create(
        actor=actor,
        house=house,
        kind=kind,
        visitor_name=visitor_name,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        gate_ids=gate_ids,
        visitor_phone=visitor_phone,
        plate=plate,
        purpose=purpose,
        host_id=occupancy.person_id if occupancy else None,
    )


@transaction.atomic
def do_register_walk_in(
    *,
    actor: User,
    house: House,
    visitor_name: str,
    id_number: str,
    visitor_phone: str = "",
    plate: str = "",
    purpose: str = "",
    max_uses: int | None = None,
) -> VisitorPass:
    """The guard has seen the ID card: the number must be a valid 18-digit ID (checksum, date)."""
    require(actor, Action.VISITOR_REGISTER, house.community_id)
    if not id_number:
        raise ServiceError("id_number_required", _("现场访客需登记身份证号"), fields={"id_number": _("必填")})
    return _create(
        actor=actor,
        house=house,
        kind=PassKind.WALK_IN,
        visitor_name=visitor_name,
        valid_from=None,
        valid_until=None,
        max_uses=max_uses,
        gate_ids=None,
        visitor_phone=visitor_phone,
        plate=plate,
        purpose=purpose,
        id_number=id_number,
    )


def may_manage_pass(actor: User, visitor_pass: VisitorPass) -> bool:
    if visitor_pass.created_by_id is not None and visitor_pass.created_by_id == getattr(actor, "pk", None):
        return True
    if may(actor, Action.VISITOR_REGISTER, visitor_pass.community_id):
        return True
    return visitor_pass.house_id is not None and own_occupancy(actor, visitor_pass.house_id) is not None


@transaction.atomic
def do_revoke_pass(*, actor: User, visitor_pass: VisitorPass) -> VisitorPass:
    if not may_manage_pass(actor, visitor_pass):
        raise Forbidden()
    now = timezone.now()
    if not VisitorPass.objects.filter(pk=visitor_pass.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    ):
        raise Conflict("already_revoked", _("该通行证已撤销"))
    visitor_pass.refresh_from_db()
    log_change(visitor_pass.community_id, ChangeKind.PASS, [visitor_pass.pk])
    audit.record(actor=actor, action="revoke", obj=visitor_pass, community_id=visitor_pass.community_id)
    return visitor_pass


@transaction.atomic
def end_passes_of_departed_hosts(now: datetime) -> int:
    """Materialises what every decision already checks: live passes whose host no longer lives
    in the house (or whose issuer left their post) are revoked with that reason, audited, and
    logged for the terminals' next delta. Idempotent (conditional update)."""
    today = timezone.localdate(now)
    rows = list(
        VisitorPass.objects.filter(revoked_at__isnull=True, valid_until__gt=now)
        .annotate(ended=rights.pass_ended(today))
        .exclude(ended="")
        .values_list("pk", "community_id", "ended")
    )
    done = 0
    for reason in {ended for _pk, _c, ended in rows}:
        chosen = [(pk, c) for pk, c, ended in rows if ended == reason]
        updated = VisitorPass.objects.filter(
            pk__in=[pk for pk, _c in chosen], revoked_at__isnull=True
        ).update(revoked_at=now, revoke_reason=reason, updated_at=now)
        done += updated
        for community_id in {c for _pk, c in chosen}:
            ids = [pk for pk, c in chosen if c == community_id]
            log_change(community_id, ChangeKind.PASS, ids)
            audit.record(
                actor=None,
                action="end_passes",
                object_type="access.visitorpass",
                object_id=f"{len(ids)} passes",
                community_id=community_id,
                after={"passes": ids[:100], "reason": reason},
            )
    return done


rights.register(
    rights.RightKind(
        name="visitor_pass", reason=Reason.PASS_HOST_LEFT, materialise=end_passes_of_departed_hosts
    )
)


VISITOR_RETENTION = timedelta(days=90)


@transaction.atomic
def purge_visitor_data(*, now: datetime | None = None) -> int:
    """PIPL: a visitor's phone, ID number and plate are kept 90 days after the pass ends, then
    blanked (the pass, masked name and its events stay for the visitor log)."""
    now = now or timezone.now()
    stale = VisitorPass.objects.filter(valid_until__lt=now - VISITOR_RETENTION).filter(
        Q(visitor_id_bidx__isnull=False) | Q(plate_bidx__isnull=False) | ~Q(visitor_phone="")
    )
    ids = list(stale.values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    VisitorPass.objects.filter(pk__in=ids).update(
        visitor_phone="",
        visitor_id_number="",
        visitor_id_bidx=None,
        plate="",
        plate_bidx=None,
        updated_at=now,
    )
    audit.record(
        actor=None,
        action="purge_visitor_data",
        object_type="access.visitorpass",
        object_id=f"{len(ids)} passes",
        after={"passes": ids[:100], "count": len(ids)},
    )
    return len(ids)

"""All registry writes (convention 1): one transaction each, re-checked permission, audited."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.events import publish
from linli.core.masking import mask_plate
from linli.core.models import Community
from linli.core.permissions import may, require, require_operator
from linli.core.restrict import forget_scope, scope_of
from linli.core.roles import Action
from linli.registry.choices import OWNING, EndReason, HouseType, Relation
from linli.registry.erasure import erase_login_data
from linli.registry.models import (
    Building,
    CareTag,
    House,
    Occupancy,
    Organization,
    ParkingSpace,
    Person,
    Unit,
    Vehicle,
)
from linli.registry.privacy import is_self
from linli.registry.snapshots import snapshot
from linli.registry.validators import clean_phone, clean_plate, parse_id_number


def _audit_create(actor: Actor, obj, community_id: int) -> None:
    audit.record(actor=actor, action="create", obj=obj, community_id=community_id, after=snapshot(obj))


def clean_area(raw) -> Decimal:
    try:
        area = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        area = None
    if area is None or not area.is_finite():
        raise ServiceError("invalid_area", _("建筑面积必须是数字"), fields={"area": _("例如 89.50")})
    area = area.quantize(Decimal("0.01"))
    if area <= 0 or area >= Decimal("10000000"):
        raise ServiceError("invalid_area", _("建筑面积必须大于0"), fields={"area": _("例如 89.50")})
    return area


# --- property -------------------------------------------------------------------------------


@transaction.atomic
def do_create_community(*, actor: Actor, name: str, code: str, **details) -> Community:
    require_operator(actor)
    if Community.objects.filter(code=code).exists():
        raise Conflict("duplicate_code", _("社区编码已存在"), fields={"code": _("请换一个编码")})
    community = Community.objects.create(name=name, code=code, **details)
    audit.record(
        actor=actor,
        action="create",
        obj=community,
        community_id=community.id,
        after={"name": name, "code": code, **details},
    )
    return community


@transaction.atomic
def do_create_building(
    *, actor: Actor, community: Community, name: str, floors: int = 1, plan_x: int = 0, plan_y: int = 0
) -> Building:
    require(actor, Action.PROPERTY_CHANGE, community.id)
    if Building.objects.filter(community=community, name=name).exists():
        raise Conflict("duplicate_building", _("该楼栋已存在"), fields={"name": name})
    building = Building.objects.create(
        community=community, name=name, floors=floors, plan_x=plan_x, plan_y=plan_y
    )
    _audit_create(actor, building, community.id)
    return building


@transaction.atomic
def do_create_unit(*, actor: Actor, building: Building, name: str) -> Unit:
    require(actor, Action.PROPERTY_CHANGE, building.community_id, building.id)
    if Unit.objects.filter(building=building, name=name).exists():
        raise Conflict("duplicate_unit", _("该单元已存在"), fields={"name": name})
    unit = Unit.objects.create(building=building, name=name)
    _audit_create(actor, unit, building.community_id)
    return unit


@transaction.atomic
def do_create_house(
    *, actor: Actor, unit: Unit, number: str, floor: int, area, type: str = HouseType.RESIDENTIAL
) -> House:
    building = unit.building
    require(actor, Action.PROPERTY_CHANGE, building.community_id, building.id)
    if type not in HouseType.values:
        raise ServiceError("invalid_house_type", _("房屋类型不正确"), fields={"type": type})
    if House.objects.filter(unit=unit, number=number).exists():
        raise Conflict("duplicate_house", _("该房号已存在"), fields={"number": number})
    house = House.objects.create(
        community_id=building.community_id,
        building=building,
        unit=unit,
        number=number,
        floor=floor,
        area=clean_area(area),
        type=type,
    )
    _audit_create(actor, house, building.community_id)
    return house


@transaction.atomic
def do_update_house(*, actor: Actor, house: House, if_unmodified_since=None, **changes) -> House:
    require(actor, Action.PROPERTY_CHANGE, house.community_id, house.building_id)
    before = snapshot(house)
    if "area" in changes:
        changes["area"] = clean_area(changes["area"])
    if "type" in changes and changes["type"] not in HouseType.values:
        raise ServiceError("invalid_house_type", _("房屋类型不正确"), fields={"type": changes["type"]})
    allowed = {"number", "floor", "area", "type"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError("invalid_input", _("不能修改这些字段"), fields={k: _("不可修改") for k in unknown})
    rows = House.objects.filter(pk=house.pk)
    if if_unmodified_since is not None:
        rows = rows.filter(updated_at=if_unmodified_since)
    now = timezone.now()
    if rows.update(**changes, updated_at=now) != 1:
        raise Conflict("stale_object", _("房屋信息已被他人修改，请刷新后重试"), status=412)
    house.refresh_from_db()
    audit.record_change(
        actor=actor, obj=house, community_id=house.community_id, before=before, snapshot=snapshot
    )
    return house


@transaction.atomic
def do_set_developer_held(*, actor: Actor, house: House, held: bool) -> House:
    """Mark a house as the developer's unsold or undelivered part (or no longer): a vote's roll,
    fixed when the vote opens, counts all such parts once together (docs/voting.md)."""
    require(actor, Action.PROPERTY_CHANGE, house.community_id, house.building_id)
    before = snapshot(house)
    rows = House.objects.filter(pk=house.pk, developer_held=not held)
    if rows.update(developer_held=held, updated_at=timezone.now()) != 1:
        house.refresh_from_db()
        return house  # already so: nothing to change, nothing to audit
    house.refresh_from_db()
    audit.record_change(
        actor=actor, obj=house, community_id=house.community_id, before=before, snapshot=snapshot
    )
    return house


# --- people ---------------------------------------------------------------------------------


def _person_fields(
    community: Community,
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    exclude_id: int | None = None,
) -> dict:
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ServiceError("invalid_name", _("请填写姓名"), fields={"name": _("1到60个字")})
    fields: dict = {"name": name}
    if id_number:
        number, born, gender = parse_id_number(id_number)
        bidx = blind_index("id_number", number)
        clash = Person.objects.filter(community=community, id_number_bidx=bidx)
        if exclude_id:
            clash = clash.exclude(pk=exclude_id)
        if clash.exists():
            raise Conflict(
                "duplicate_id_number",
                _("该身份证号已登记"),
                fields={"id_number": _("已存在相同身份证号的人员")},
            )
        fields.update(id_number=number, id_number_bidx=bidx, birth_date=born, gender=gender)
    if phone:
        phone = clean_phone(phone)
        fields.update(phone=phone, phone_bidx=blind_index("phone", phone))
    return fields


@transaction.atomic
def do_register_person(
    *,
    actor: Actor,
    community: Community,
    name: str,
    id_number: str = "",
    phone: str = "",
    hukou_local: bool = True,
    gender: str = "",
    birth_date: date | None = None,
) -> Person:
    _require_people_change(actor, community.id)
    fields = _person_fields(community, name=name, id_number=id_number, phone=phone)
    fields.setdefault("gender", gender)
    fields.setdefault("birth_date", birth_date)
    try:
        with transaction.atomic():
            person = Person.objects.create(community=community, hukou_local=hukou_local, **fields)
    except IntegrityError:
        raise Conflict(
            "duplicate_id_number",
            _("该身份证号已登记"),
            fields={"id_number": _("已存在相同身份证号的人员")},
        ) from None
    _link_user_by_phone(person)
    _audit_create(actor, person, community.id)
    return person


def _require_people_change(actor: Actor, community_id: int) -> None:
    """Staff with people.change (a building-scoped one reached the person through restrict()).
    Residents register people only through a house (do_register_resident), never freely."""
    if not scope_of(actor).may_in_community(Action.PEOPLE_CHANGE, community_id):
        raise Forbidden()


def _link_user_by_phone(person: Person) -> None:
    """A resident who already signed in with this phone sees their new registration at once."""
    if not person.phone_bidx or person.user_id:
        return
    user = get_user_model().objects.filter(phone_bidx=person.phone_bidx).first()
    if user:
        Person.objects.filter(pk=person.pk).update(user=user)
        person.user = user


@transaction.atomic
def do_update_person(*, actor: Actor, person: Person, **changes) -> Person:
    if person.user_id is None or person.user_id != getattr(
        actor, "pk", None
    ):  # a person may correct themselves
        _require_people_change(actor, person.community_id)
    before = snapshot(person)
    allowed = {"name", "id_number", "phone", "hukou_local"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError("invalid_input", _("不能修改这些字段"), fields={k: _("不可修改") for k in unknown})
    fields = _person_fields(
        person.community,
        name=changes.get("name", person.name),
        id_number=changes.get("id_number", ""),
        phone=changes.get("phone", ""),
        exclude_id=person.pk,
    )
    if "hukou_local" in changes:
        fields["hukou_local"] = bool(changes["hukou_local"])
    for key, value in fields.items():
        setattr(person, key, value)
    person.save()
    _link_user_by_phone(person)
    audit.record_change(
        actor=actor, obj=person, community_id=person.community_id, before=before, snapshot=snapshot
    )
    return person


# --- occupancy and the tenant lifecycle (REG-2, REG-3) -------------------------------------


def _household_role(actor: Actor, house: House) -> str | None:
    """The actor's own active relation to this house, if they live/own there."""
    scope = scope_of(actor)
    if house.pk not in scope.house_ids:
        return None
    rel = (
        Occupancy.objects.active()
        .filter(house=house, person_id__in=scope.person_ids)
        .values_list("relation", flat=True)
    )
    rels = set(rel)
    for r in (Relation.OWNER, Relation.CO_OWNER, Relation.TENANT, Relation.FAMILY):
        if r in rels:
            return r
    return None


def _is_household_head(actor: Actor, house: House) -> bool:
    return _household_role(actor, house) in (*OWNING, Relation.TENANT)


def _check_may_register(actor: Actor, house: House, relation: str, sponsor: Occupancy | None) -> None:
    if may(actor, Action.PEOPLE_CHANGE, house.community_id, house.building_id):
        return  # staff or an agent acting for the property
    role = _household_role(actor, house)
    if role in OWNING and relation in (Relation.TENANT, Relation.FAMILY, Relation.CO_OWNER):
        return  # the landlord registers a tenant, family or a co-owner
    if role == Relation.TENANT and relation == Relation.FAMILY and sponsor is not None:
        return  # a tenant registers their own family, bound to their lease
    raise Forbidden(_("只有业主、租客本人或物业工作人员可以登记住户"))


@transaction.atomic
def do_add_occupancy(
    *,
    actor: Actor,
    house: House,
    person: Person,
    relation: str,
    valid_from: date,
    valid_to: date | None = None,
    sponsor: Occupancy | None = None,
    lives_here: bool = True,
) -> Occupancy:
    if relation not in Relation.values:
        raise ServiceError("invalid_relation", _("关系类型不正确"), fields={"relation": relation})
    if person.community_id != house.community_id:
        raise ServiceError("cross_community", _("人员与房屋不属于同一社区"))
    if relation == Relation.TENANT and valid_to is None:
        raise ServiceError(
            "lease_end_required", _("登记租客必须填写租期截止日期"), fields={"valid_to": _("必填")}
        )
    if valid_to is not None and valid_to < valid_from:
        raise ServiceError(
            "lease_ends_before_start",
            _("截止日期不能早于起始日期"),
            fields={"valid_to": _("应不早于 %(d)s") % {"d": valid_from.isoformat()}},
        )
    scope = scope_of(actor)
    if sponsor is None and relation == Relation.FAMILY and not scope.is_staff_somewhere():
        sponsor = (
            Occupancy.objects.active()
            .filter(house=house, person_id__in=scope.person_ids, relation__in=[*OWNING, Relation.TENANT])
            .first()
        )
    if sponsor is not None:
        if sponsor.house_id != house.pk or not sponsor.is_active():
            raise ServiceError("invalid_sponsor", _("随住的户主关系无效"))
        if sponsor.valid_to is not None:
            # A tenant's family cannot outlive the lease that brings them in.
            valid_to = min(valid_to or sponsor.valid_to, sponsor.valid_to)
            if valid_to < valid_from:
                raise ServiceError("lease_ends_before_start", _("截止日期不能早于起始日期"))
    _check_may_register(actor, house, relation, sponsor)
    House.objects.select_for_update().filter(pk=house.pk).first()  # one registration per house at a time
    if relation == Relation.OWNER and _overlapping(house, Relation.OWNER, valid_from, valid_to).exists():
        raise Conflict(
            "house_has_owner",
            _("该房屋已有业主，如为共同产权请登记为共有人"),
            fields={"relation": _("请选择“共有人”")},
        )
    if _overlapping(house, None, valid_from, valid_to).filter(person=person, relation=relation).exists():
        raise Conflict("duplicate_occupancy", _("该人员在此期间已登记为同一关系"))
    occupancy = Occupancy.objects.create(
        house=house,
        person=person,
        relation=relation,
        valid_from=valid_from,
        valid_to=valid_to,
        sponsor=sponsor,
        registered_by=actor if getattr(actor, "pk", None) else None,
        lives_here=lives_here,
    )
    forget_scope(actor)
    audit.record(
        actor=actor,
        action="create",
        obj=occupancy,
        community_id=house.community_id,
        after=snapshot(occupancy),
    )
    if person.user_id:
        publish(
            "registry.occupancy_added",
            {"occupancy": occupancy.pk, "house": house.pk},
            users=[person.user_id],
            community_id=house.community_id,
        )
    return occupancy


@transaction.atomic
def do_register_resident(
    *,
    actor: Actor,
    house: House,
    name: str,
    relation: str,
    valid_from: date,
    valid_to: date | None = None,
    id_number: str = "",
    phone: str = "",
    hukou_local: bool = True,
) -> Occupancy:
    """Finds the person by ID number (or registers them) and adds the relation, all or nothing."""
    _check_may_register(actor, house, relation, sponsor=_own_tenancy(actor, house))
    person = _find_or_create_person(
        actor, house, name=name, id_number=id_number, phone=phone, hukou_local=hukou_local, by_phone=False
    )
    return do_add_occupancy(
        actor=actor,
        house=house,
        person=person,
        relation=relation,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@transaction.atomic
def do_register_person_for_house(
    *, actor: Actor, house: House, name: str, phone: str = "", id_number: str = ""
) -> Person:
    """Someone a household brings in without living there (a 保姆, a carer): found by ID number or
    phone, else registered. Staff, or a head of that household, may do it."""
    if not (
        may(actor, Action.PEOPLE_CHANGE, house.community_id, house.building_id)
        or _is_household_head(actor, house)
    ):
        raise Forbidden(_("只有业主、租客本人或物业工作人员可以登记人员"))
    return _find_or_create_person(actor, house, name=name, id_number=id_number, phone=phone, by_phone=True)


def _find_or_create_person(
    actor: Actor, house: House, *, name, id_number, phone, by_phone, hukou_local=True
) -> Person:
    known = Person.objects.filter(community_id=house.community_id, erased_at__isnull=True)
    person = None
    if id_number:
        number, _born, _gender = parse_id_number(id_number)
        person = known.filter(id_number_bidx=blind_index("id_number", number)).first()
    elif by_phone and phone:
        person = known.filter(phone_bidx=blind_index("phone", clean_phone(phone))).first()
    if person is None:
        fields = _person_fields(house.community, name=name, id_number=id_number, phone=phone)
        person = Person.objects.create(community_id=house.community_id, hukou_local=hukou_local, **fields)
        _link_user_by_phone(person)
        _audit_create(actor, person, house.community_id)
    return person


def _own_tenancy(actor: Actor, house: House) -> Occupancy | None:
    scope = scope_of(actor)
    return (
        Occupancy.objects.active()
        .filter(house=house, person_id__in=scope.person_ids, relation=Relation.TENANT)
        .first()
    )


def _overlapping(house: House, relation: str | None, start: date, end: date | None):
    rows = Occupancy.objects.filter(house=house, ended_at__isnull=True).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    if end is not None:
        rows = rows.filter(valid_from__lte=end)
    return rows.filter(relation=relation) if relation else rows


@transaction.atomic
def do_end_occupancy(
    *, actor: Actor, occupancy: Occupancy, reason: str = EndReason.MOVED_OUT, on: date | None = None
) -> Occupancy:
    """Ends a relation now (landlord ends a lease early, move-out). Dependents end with it."""
    house = occupancy.house
    staff = may(actor, Action.PEOPLE_CHANGE, house.community_id, house.building_id)
    role = _household_role(actor, house)
    landlord_ends_tenancy = role in OWNING and occupancy.relation in (
        Relation.TENANT,
        Relation.FAMILY,
    )
    self_moves_out = occupancy.person_id in scope_of(actor).person_ids
    if not (staff or landlord_ends_tenancy or self_moves_out):
        raise Forbidden(_("只有房东、本人或物业工作人员可以结束居住关系"))
    if reason not in EndReason.values:
        raise ServiceError("invalid_reason", _("结束原因不正确"), fields={"reason": reason})
    today = timezone.localdate()
    end_day = on or today
    if end_day < occupancy.valid_from:
        end_day = occupancy.valid_from
    ended = end_occupancies([occupancy.pk], reason, end_day, actor)
    if not ended:
        raise Conflict("already_ended", _("该居住关系已经结束"))
    occupancy.refresh_from_db()
    return occupancy


def end_occupancies(ids: list[int], reason: str, end_day: date, actor: Actor) -> int:
    now = timezone.now()
    count = 0
    for occ in Occupancy.objects.filter(pk__in=ids, ended_at__isnull=True).select_related("house"):
        before = snapshot(occ)
        new_to = end_day if occ.valid_to is None else min(occ.valid_to, end_day)
        # Conditional update: a concurrent end of the same row counts once.
        if Occupancy.objects.filter(pk=occ.pk, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason, valid_to=max(new_to, occ.valid_from), updated_at=now
        ):
            count += 1
            occ.refresh_from_db()
            audit.record_change(
                actor=actor,
                action="end",
                obj=occ,
                community_id=occ.house.community_id,
                before=before,
                snapshot=snapshot,
            )
            publish(
                "registry.occupancy_ended",
                {
                    "occupancy": occ.pk,
                    "house": occ.house_id,
                    "person": occ.person_id,
                    "reason": reason,
                },
                community_id=occ.house.community_id,
            )
            dependents = list(occ.dependents.filter(ended_at__isnull=True).values_list("pk", flat=True))
            if dependents:
                count += end_occupancies(dependents, EndReason.SPONSOR_ENDED, end_day, actor)
    return count


# --- vehicles, parking, organisations ------------------------------------------------------


@transaction.atomic
def do_register_vehicle(
    *,
    actor: Actor,
    person: Person,
    plate: str,
    kind: str = "car",
    color: str = "",
    house: House | None = None,
) -> Vehicle:
    if not (
        may(actor, Action.PEOPLE_CHANGE, person.community_id)
        or (house is not None and _is_household_head(actor, house) and person.pk in _household_people(house))
    ):
        raise Forbidden()
    plate = clean_plate(plate)
    bidx = blind_index("plate", plate)
    if Vehicle.objects.filter(community_id=person.community_id, plate_bidx=bidx).exists():
        raise Conflict("duplicate_plate", _("该车牌已登记"), fields={"plate": _("已存在")})
    vehicle = Vehicle.objects.create(
        community_id=person.community_id,
        plate=plate,
        plate_bidx=bidx,
        kind=kind,
        color=color,
        person=person,
        house=house,
    )
    _audit_create(actor, vehicle, person.community_id)
    return vehicle


def _household_people(house: House) -> set[int]:
    return set(Occupancy.objects.active().filter(house=house).values_list("person_id", flat=True))


@transaction.atomic
def do_create_parking_space(
    *,
    actor: Actor,
    community: Community,
    number: str,
    kind: str,
    area_name: str = "",
    house: House | None = None,
    vehicle: Vehicle | None = None,
    valid_to: date | None = None,
) -> ParkingSpace:
    require(actor, Action.PROPERTY_CHANGE, community.id)
    if ParkingSpace.objects.filter(community=community, number=number).exists():
        raise Conflict("duplicate_space", _("该车位号已存在"), fields={"number": number})
    space = ParkingSpace.objects.create(
        community=community,
        number=number,
        kind=kind,
        area_name=area_name,
        house=house,
        vehicle=vehicle,
        valid_to=valid_to,
    )
    _audit_create(actor, space, community.id)
    return space


@transaction.atomic
def do_create_organization(
    *, actor: Actor, community: Community, kind: str, name: str, **details
) -> Organization:
    require(actor, Action.PROPERTY_CHANGE, community.id)
    org = Organization.objects.create(community=community, kind=kind, name=name, **details)
    _audit_create(actor, org, community.id)
    return org


# --- care tags (REG-6) ---------------------------------------------------------------------


@transaction.atomic
def do_add_care_tag(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    consent_by: str,
    consent_method: str,
    note: str = "",
    emergency_contact: Person | None = None,
) -> CareTag:
    require(actor, Action.CARE_CHANGE, person.community_id)
    if not consent_by.strip() or not consent_method.strip():
        raise ServiceError(
            "consent_required",
            _("关爱标签需要本人或监护人同意"),
            fields={"consent_by": _("必填"), "consent_method": _("必填")},
        )
    if CareTag.objects.filter(person=person, kind=kind, revoked_at__isnull=True).exists():
        raise Conflict("duplicate_care_tag", _("该人员已有此关爱标签"))
    tag = CareTag.objects.create(
        person=person,
        community_id=person.community_id,
        kind=kind,
        note=note,
        consent_at=timezone.now(),
        consent_by=consent_by.strip(),
        consent_method=consent_method.strip(),
        emergency_contact=emergency_contact,
        recorded_by=actor,
    )
    _audit_create(actor, tag, person.community_id)
    return tag


@transaction.atomic
def do_revoke_care_tag(*, actor: Actor, tag: CareTag) -> CareTag:
    """Consent withdrawn: the tag stops applying at once; its history stays in the audit trail."""
    if not (tag.person.user_id and tag.person.user_id == getattr(actor, "pk", None)):
        require(actor, Action.CARE_CHANGE, tag.community_id)
    now = timezone.now()
    if not CareTag.objects.filter(pk=tag.pk, revoked_at__isnull=True).update(revoked_at=now, updated_at=now):
        raise Conflict("already_revoked", _("该标签已撤销"))
    tag.refresh_from_db()
    audit.record(actor=actor, action="revoke", obj=tag, community_id=tag.community_id, after=snapshot(tag))
    return tag


@transaction.atomic
def do_erase_person(*, actor: Actor, person: Person, reason: str) -> Person:
    """Right to erasure: ends every relation, deletes vehicles and care tags and what apps above
    keep of their login (registry.erasure: their WeChat), blanks the data.

    The row stays (as 已删除) so that bills and votes that reference it keep their history;
    the audit trail keeps only masked values, as it always does.
    """
    if not is_self(actor, person):
        # Irreversible: a manager's decision (pii.erase), not any account at the counter.
        require(actor, Action.PII_ERASE, person.community_id)
        require(actor, Action.PEOPLE_CHANGE, person.community_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写删除原因"), fields={"reason": _("必填")})
    if person.erased_at is not None:
        raise Conflict("already_erased", _("该人员的个人信息已删除"))
    active = list(Occupancy.objects.filter(person=person, ended_at__isnull=True).values_list("pk", flat=True))
    end_occupancies(active, EndReason.MOVED_OUT, timezone.localdate(), actor)
    plates = [mask_plate(v.plate) for v in person.vehicles.all()]
    Vehicle.objects.filter(person=person).delete()
    CareTag.objects.filter(person=person).delete()
    if person.user_id:
        erase_login_data(person.user_id)
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        name=_("已删除"),
        id_number="",
        id_number_bidx=None,
        phone="",
        phone_bidx=None,
        birth_date=None,
        gender="",
        user=None,
        erased_at=now,
        updated_at=now,
    )
    audit.record(
        actor=actor,
        action="erase",
        obj=person,
        community_id=person.community_id,
        after={"reason": reason, "vehicles_deleted": plates},
    )
    person.refresh_from_db()
    return person

"""The demo world behind `linli seed_demo`: two communities with a realistic population. It is
part of the product (linli.demo), not of the tests (linli.testing).

Set-up code like the factories: it writes through the ORM in bulk, not through services, so
3,000 households take seconds. Everything is drawn from a `random.Random` seeded per community,
so the same seed on the same day gives the same people (ciphertexts differ: nonces are random).
Each community is built in one transaction with one "seed_demo" audit entry. A community whose
code already exists is left as it is; only missing staff logins are topped up. Running it twice
therefore adds nothing.
"""

import itertools
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from linli.access.demo import seed_access_demo
from linli.billing.demo import seed_billing_demo
from linli.core import audit
from linli.core.crypto import blind_index
from linli.core.dbstats import refresh_planner_statistics
from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.dashboards.demo import seed_dashboards_demo
from linli.demo import names
from linli.demo.identifiers import make_credit_code, make_id_number, make_phone, make_plate
from linli.engage.demo import seed_engage_demo
from linli.grid.models import Grid
from linli.iot.demo import seed_iot_demo
from linli.parking.demo import seed_parking_demo
from linli.registry.choices import (
    CareKind,
    EndReason,
    HouseType,
    OrgKind,
    Relation,
    SpaceKind,
    VehicleKind,
)
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
from linli.services.demo import seed_services_demo
from linli.workorders.demo import seed_workorders_demo

# Each domain app's part of the demo (its `<app>/demo.py`), in layer order, run once the
# community's registry is built: (summary key, part(community, *, seed) -> summary).
# Points, terminals, grants, passes; then a year of fees.
APP_PARTS = (
    ("access", seed_access_demo),
    ("billing", seed_billing_demo),
    ("workorders", seed_workorders_demo),
    ("iot", seed_iot_demo),
    ("engage", seed_engage_demo),
    ("services", seed_services_demo),
    ("parking", seed_parking_demo),
    ("dashboards", seed_dashboards_demo),
)

DEMO_PASSWORD = "linli-demo"
SMS_LOGIN_HINT = "短信验证码（控制台显示）"
OWNER_PHONE = "13800138001"  # owns a flat in 幸福里 and lets it to the tenant below
TENANT_PHONE = "13800138002"
OPERATOR_LOGIN = "operator"

# Staff login per role; the second community's logins carry its prefix (hp_manager, ...).
STAFF_LOGINS: tuple[tuple[str, str], ...] = (
    (Role.COMMUNITY_ADMIN, "admin"),
    (Role.PROPERTY_MANAGER, "manager"),
    (Role.FRONT_DESK, "frontdesk"),
    (Role.TECHNICIAN, "tech"),
    (Role.SECURITY, "guard"),
    (Role.GRID_WORKER, "grid"),
    (Role.COMMITTEE_MEMBER, "committee"),
    (Role.GOV_VIEWER, "street"),
)

# Where people registered here but with 户籍 elsewhere come from: ID area code, plate province.
ORIGINS: tuple[tuple[str, str], ...] = (
    ("410105", "豫"),  # 郑州市金水区
    ("420106", "鄂"),  # 武汉市武昌区
    ("510104", "川"),  # 成都市锦江区
    ("320102", "苏"),  # 南京市玄武区
    ("340104", "皖"),  # 合肥市蜀山区
    ("430102", "湘"),  # 长沙市芙蓉区
    ("370102", "鲁"),  # 济南市历下区
    ("130102", "冀"),  # 石家庄市长安区
    ("230102", "黑"),  # 哈尔滨市道里区
    ("610103", "陕"),  # 西安市碑林区
)

MERCHANTS = ("好邻居便利店", "邻里生鲜超市", "洁净洗衣店", "康宁大药房", "快递驿站", "阿芳理发店",
             "社区长者食堂", "老王五金维修", "花语花艺", "晨光早餐铺")  # fmt: skip
CAR_COLOURS = ("白色", "黑色", "银色", "灰色", "蓝色", "红色")
CONSENT_METHODS = ("书面", "书面", "现场口头", "app")


@dataclass(frozen=True)
class Layout:
    """`count` buildings of one design. Flats stacked on top of each other share a floor plan,
    so `flats` gives the registered area of each position on a floor."""

    count: int
    floors: int
    units: int
    flats: tuple[str, ...]
    shops: int = 0  # ground-floor shops (底商) per building
    storage: int = 0  # basement storage rooms per building


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    province: str
    city: str
    district: str
    street: str
    address: str
    id_area: str  # 行政区划代码 of the district, for local residents' ID numbers
    plate_province: str
    plate_issuers: str
    landline: str
    login_prefix: str
    property_company: str
    street_office: str
    layouts: tuple[Layout, ...]
    small_layouts: tuple[Layout, ...]


SITES = (
    Site(
        code="demo-xingfuli",
        name="幸福里小区",
        province="北京市",
        city="北京市",
        district="朝阳区",
        street="望京街道",
        address="北京市朝阳区望京街道阜通东大街9号",
        id_area="110105",
        plate_province="京",
        plate_issuers="ABCEFGHJKLMNPQ",
        landline="010",
        login_prefix="",
        property_company="北京幸福里物业服务有限公司",
        street_office="朝阳区望京街道办事处",
        layouts=(
            Layout(2, 32, 2, ("89.37", "128.56", "76.12"), shops=6, storage=12),
            Layout(6, 32, 2, ("89.37", "128.56", "76.12"), storage=12),
            Layout(8, 6, 3, ("71.45", "92.80")),
            Layout(2, 11, 2, ("143.20", "118.65")),
        ),
        small_layouts=(
            Layout(1, 6, 2, ("89.37", "128.56"), shops=2, storage=2),
            Layout(1, 4, 1, ("71.45", "92.80")),
        ),
    ),
    Site(
        code="demo-hepingyuan",
        name="和平苑",
        province="上海市",
        city="上海市",
        district="浦东新区",
        street="花木街道",
        address="上海市浦东新区花木街道梅花路1288弄",
        id_area="310115",
        plate_province="沪",
        plate_issuers="ABCDEFGHJKLMN",
        landline="021",
        login_prefix="hp_",
        property_company="上海和平苑物业管理有限公司",
        street_office="浦东新区花木街道办事处",
        layouts=(
            Layout(2, 24, 2, ("86.52", "105.33", "112.48", "68.90"), shops=5, storage=10),
            Layout(4, 24, 2, ("86.52", "105.33", "112.48", "68.90")),
            Layout(6, 6, 3, ("63.75", "87.20")),
        ),
        small_layouts=(Layout(1, 4, 2, ("86.52", "105.33"), shops=1, storage=1),),
    ),
)

# How the residential flats of a community are used; every kind appears at least once.
HOUSEHOLD_SHARES = (
    ("family", 0.66),
    ("let", 0.18),
    ("vacant", 0.07),
    ("elderly_alone", 0.05),
    ("between_lets", 0.04),
)


def demo_logins() -> list[dict]:
    """The demo accounts of the demo communities present in the database (none in a real
    installation), for `serve` to print grouped by "community"."""
    present = set(Community.objects.filter(code__in=[s.code for s in SITES]).values_list("code", flat=True))
    rows = []
    for site in SITES:
        if site.code not in present:
            continue
        rows += [
            {
                "community": site.name,
                "role": str(Role(role).label),
                "login": site.login_prefix + login,
                "password": DEMO_PASSWORD,
            }
            for role, login in STAFF_LOGINS
        ]
    if SITES[0].code in present:
        rows += [
            {"community": SITES[0].name, "role": label, "login": phone, "password": SMS_LOGIN_HINT}
            for label, phone in (("业主（出租房东）", OWNER_PHONE), ("租客", TENANT_PHONE))
        ]
    if present:
        rows.append(
            {"community": "", "role": "平台运营方", "login": OPERATOR_LOGIN, "password": DEMO_PASSWORD}
        )
    return rows


def demo_pages() -> list[tuple[str, str]]:
    """Where to look first once the demo is loaded, for `serve`'s banner: (label, path)."""
    present = dict(Community.objects.filter(code__in=[s.code for s in SITES]).values_list("code", "pk"))
    pages = [
        (
            f"大屏 {site.name} (big screen, as {site.login_prefix}manager)",
            reverse("dashboards:screen", args=[present[site.code]]),
        )
        for site in SITES
        if site.code in present
    ]
    if present:
        pages.append(("街道/政府视图 (government view, as operator)", reverse("dashboards:gov_streets")))
    return pages


def seed_demo(*, seed: int = 42, small: bool = False) -> list[dict]:
    """Builds the demo communities that do not exist yet. Returns one summary per community."""
    password = make_password(DEMO_PASSWORD)  # hashed once: each hash costs a quarter second
    report = []
    for site in SITES:
        with transaction.atomic():
            community = Community.objects.filter(code=site.code).first()
            if community is None:
                builder = _CommunityBuilder(site, random.Random(f"{seed}:{site.code}"), small=small)
                community = builder.build()
                summary = {"code": site.code, "name": site.name, "created": True, **builder.counts()}
            else:
                summary = {"code": site.code, "name": site.name, "created": False}
            staff_rng = random.Random(f"{seed}:{site.code}:staff")
            summary["staff_added"] = _ensure_staff(community, site, password, staff_rng)
            if summary["created"] or summary["staff_added"]:
                audit.record(
                    actor=None, action="seed_demo", obj=community, community_id=community.pk, after=summary
                )
        for key, part in APP_PARTS:
            summary[key] = part(community, seed=seed)
        report.append(summary)
    with transaction.atomic():
        _ensure_user(OPERATOR_LOGIN, display_name="平台运营", is_operator=True, password=password)
    refresh_planner_statistics()
    return report


def _ensure_user(username: str, **fields):
    """Creates the login if missing. An existing account keeps its password and details."""
    return get_user_model().objects.get_or_create(username=username, defaults=fields)[0]


def _ensure_staff(community: Community, site: Site, password: str, rng: random.Random) -> int:
    first_grid = Grid.objects.filter(community=community).order_by("id").first()
    added = 0
    for role, login in STAFF_LOGINS:
        name = names.full_name(rng, male=rng.random() < 0.5, born_year=rng.randint(1970, 1998))
        user = _ensure_user(site.login_prefix + login, display_name=name, password=password)
        _, created = Membership.objects.get_or_create(
            user=user,
            community=community,
            role=role,
            building=None,
            grid=first_grid if role == Role.GRID_WORKER else None,
        )
        added += created
    return added


def _birth_date(rng: random.Random, today: date, age: int) -> date:
    return today - timedelta(days=365 * age + rng.randint(0, 364))


class _CommunityBuilder:
    """Plans one community in memory, then writes it with one bulk insert per table."""

    def __init__(self, site: Site, rng: random.Random, *, small: bool):
        self.site = site
        self.rng = rng
        self.small = small
        self.today = timezone.localdate()
        self.community = Community(
            name=site.name,
            code=site.code,
            province=site.province,
            city=site.city,
            district=site.district,
            street=site.street,
            address=site.address,
        )
        self.buildings: list[Building] = []
        self.units: list[Unit] = []
        self.houses: list[House] = []
        self.people: list[Person] = []
        self.occupancies: list[Occupancy] = []
        self.dependents: list[Occupancy] = []  # tenants' families: saved after their sponsor
        self.vehicles: list[Vehicle] = []
        self.spaces: list[ParkingSpace] = []
        self.organizations: list[Organization] = []
        self.grids: list[tuple[Grid, list[Building]]] = []
        self.care_tags: list[CareTag] = []
        self.users: list = []
        self.heads_by_building: dict[int, list[Person]] = {}
        self._ids: set[str] = set()
        self._phones: set[str] = {OWNER_PHONE, TENANT_PHONE}
        self._plates: set[str] = set()
        self._space_numbers = itertools.count(1)
        self._visitor_numbers = itertools.count(1)

    # --- the plan ---------------------------------------------------------------------------

    def build(self) -> Community:
        self.community.save()
        flats, shops, storage = self._plan_property()
        self._plan_demo_residents(flats)
        for house, kind in self._household_kinds(flats):
            getattr(self, f"_household_{kind}")(house)
        for house in shops:
            self._shop(house)
        for house in storage:
            self._storage(house)
        self._plan_organizations()
        self._plan_grids()
        self._save()
        return self.community

    def _plan_property(self) -> tuple[list[House], list[House], list[House]]:
        rng = self.rng
        flats, shops, storage = [], [], []
        layouts = self.site.small_layouts if self.small else self.site.layouts
        number = 0
        for layout in layouts:
            for _ in range(layout.count):
                number += 1
                building = Building(
                    community=self.community,
                    name=f"{number}号楼",
                    floors=layout.floors,
                    plan_x=100 + (number - 1) % 6 * 150,
                    plan_y=120 + (number - 1) // 6 * 220,
                )
                self.buildings.append(building)
                # Each building's shared-area share differs a little, and so do its areas.
                factor = Decimal(str(round(rng.uniform(0.985, 1.015), 4)))
                areas = [(Decimal(a) * factor).quantize(Decimal("0.01")) for a in layout.flats]
                for u in range(1, layout.units + 1):
                    unit = self._unit(building, f"{u}单元")
                    for floor in range(1, layout.floors + 1):
                        for position, area in enumerate(areas, start=1):
                            flats.append(self._house(unit, f"{floor}{position:02d}", floor, area))
                if layout.shops:
                    unit = self._unit(building, "底商")
                    for s in range(1, layout.shops + 1):
                        area = Decimal(rng.randint(3500, 16000)) / 100
                        shops.append(self._house(unit, f"S{s:02d}", 1, area, HouseType.SHOP))
                if layout.storage:
                    unit = self._unit(building, "地下室")
                    for s in range(1, layout.storage + 1):
                        area = Decimal(rng.randint(450, 1280)) / 100
                        storage.append(self._house(unit, f"D{s:03d}", -1, area, HouseType.STORAGE))
        return flats, shops, storage

    def _unit(self, building: Building, name: str) -> Unit:
        unit = Unit(building=building, name=name)
        self.units.append(unit)
        return unit

    def _house(self, unit: Unit, number: str, floor: int, area: Decimal, type=HouseType.RESIDENTIAL) -> House:
        house = House(
            community=self.community,
            building=unit.building,
            unit=unit,
            number=number,
            floor=floor,
            type=type,
            area=area,
        )
        self.houses.append(house)
        return house

    def _household_kinds(self, flats: list[House]) -> list[tuple[House, str]]:
        """Shares become exact quotas (at least one of each), so even --small shows every kind."""
        order = flats[:]
        self.rng.shuffle(order)
        quotas = [(kind, max(1, round(share * len(order)))) for kind, share in HOUSEHOLD_SHARES[1:]]
        kinds = [kind for kind, n in quotas for _ in range(n)]
        kinds = ["family"] * (len(order) - len(kinds)) + kinds
        self.rng.shuffle(kinds)
        return list(zip(order, kinds, strict=False))

    # --- people -----------------------------------------------------------------------------

    def _person(
        self,
        *,
        age: int,
        male: bool,
        family_name: str | None = None,
        origin: str | None = None,
        name: str | None = None,
        phone: str | None = None,
    ) -> Person:
        """origin: ID area code of a 户籍 elsewhere (floating population), None for local."""
        rng = self.rng
        born = _birth_date(rng, self.today, age)
        id_number = make_id_number(rng, born=born, male=male, area=origin or self.site.id_area)
        while id_number in self._ids:
            id_number = make_id_number(rng, born=born, male=male, area=origin or self.site.id_area)
        self._ids.add(id_number)
        if phone is None and age >= 12:
            phone = make_phone(rng)
            while phone in self._phones:
                phone = make_phone(rng)
            self._phones.add(phone)
        person = Person(
            community=self.community,
            name=name or names.full_name(rng, male=male, born_year=born.year, family_name=family_name),
            gender="M" if male else "F",
            birth_date=born,
            id_number=id_number,
            id_number_bidx=blind_index("id_number", id_number),
            phone=phone or "",
            phone_bidx=blind_index("phone", phone) if phone else None,
            hukou_local=origin is None,
        )
        self.people.append(person)
        return person

    def _occupy(
        self,
        house: House,
        person: Person,
        relation: str,
        since: date,
        *,
        until: date | None = None,
        lives_here: bool = True,
        sponsor: Occupancy | None = None,
    ) -> Occupancy:
        occupancy = Occupancy(
            house=house,
            person=person,
            relation=relation,
            lives_here=lives_here,
            valid_from=max(since, person.birth_date),
            valid_to=until,
            sponsor=sponsor,
        )
        (self.dependents if sponsor else self.occupancies).append(occupancy)
        return occupancy

    def _origin(self, local_share: float) -> str | None:
        return None if self.rng.random() < local_share else self.rng.choice(ORIGINS)[0]

    def _plate_province(self, origin: str | None) -> str:
        if origin and self.rng.random() < 0.5:
            return dict(ORIGINS)[origin]
        return self.site.plate_province

    def _moved_in(self, age: int) -> date:
        years = max(1, min(20, age - 24))
        return self.today - timedelta(days=self.rng.randint(60, 365 * years))

    def _family(
        self, house: House, head: Person, age: int, surnames: tuple[str, str], since: date, origin: str | None
    ) -> list[Person]:
        """Spouse, children and sometimes the head's elderly parents, living with the head.
        surnames: (the head's, the children's): children take the husband's."""
        rng = self.rng
        male = head.gender == "M"
        head_surname, family_name = surnames
        members = []
        if age >= 24 and rng.random() < 0.85:
            spouse = self._person(
                age=max(22, age + rng.randint(-4, 4)),
                male=not male,
                family_name=None if male else family_name,
                origin=origin,
            )
            relation = Relation.CO_OWNER if rng.random() < 0.4 else Relation.FAMILY
            self._occupy(house, spouse, relation, since)
            members.append(spouse)
        if 25 <= age < 62:
            for _ in range(rng.choices((0, 1, 2), (0.25, 0.5, 0.25))[0]):
                child_age = rng.randint(0, min(age - 24, 30))
                if child_age >= 23 and rng.random() < 0.6:
                    continue  # grown up and moved out
                child = self._person(
                    age=child_age, male=rng.random() < 0.52, family_name=family_name, origin=origin
                )
                self._occupy(house, child, Relation.FAMILY, since)
                members.append(child)
        if 32 <= age <= 60 and rng.random() < 0.18:
            for parent_male in rng.sample((True, False), k=rng.choice((1, 2))):
                parent_age = min(95, age + rng.randint(24, 32))
                parent = self._person(
                    age=parent_age,
                    male=parent_male,
                    family_name=head_surname if parent_male else None,
                    origin=origin,
                )
                self._occupy(house, parent, Relation.FAMILY, since)
                members.append(parent)
                if parent_age >= 80 and rng.random() < 0.6:
                    self._care_tag(
                        parent, CareKind.ELDERLY, "高龄，子女同住", consent_by=head.name, contact=head
                    )
        return members

    def _household_family(self, house: House) -> None:
        rng = self.rng
        age = rng.randint(28, 78)
        origin = self._origin(0.85)
        male = rng.random() < 0.55
        surnames = (names.surname(rng), names.surname(rng))
        if male:
            surnames = (surnames[0], surnames[0])
        head = self._person(age=age, male=male, family_name=surnames[0], origin=origin)
        since = self._moved_in(age)
        self._occupy(house, head, Relation.OWNER, since)
        self.heads_by_building.setdefault(id(house.building), []).append(head)
        members = self._family(house, head, age, surnames, since, origin)
        if age >= 80 and not members:
            self._care_tag(head, CareKind.ELDERLY, "高龄", consent_by=head.name)
        if rng.random() < 0.006 * (1 + len(members)):
            self._care_tag(rng.choice([head, *members]), CareKind.DISABLED, "肢体残疾，出行需协助")
        self._maybe_vehicles(house, head, origin, 0.45)

    def _household_elderly_alone(self, house: House) -> None:
        rng = self.rng
        age = rng.randint(72, 93)
        male = rng.random() < 0.35
        owner = self._person(age=age, male=male, origin=self._origin(0.95))
        self._occupy(house, owner, Relation.OWNER, self._moved_in(age))
        child = self._person(age=age - rng.randint(24, 32), male=rng.random() < 0.5)  # lives elsewhere
        note = rng.choice(("子女在外地工作", "老伴已故，子女每周探望", "行动较慢，需定期走访"))
        self._care_tag(owner, CareKind.ELDERLY_ALONE, note, consent_by=owner.name, contact=child)

    def _absent_owner(self, house: House) -> Person:
        age = self.rng.randint(35, 72)
        owner = self._person(age=age, male=self.rng.random() < 0.6, origin=self._origin(0.8))
        self._occupy(house, owner, Relation.OWNER, self._moved_in(age), lives_here=False)
        return owner

    def _household_vacant(self, house: House) -> None:
        self._absent_owner(house)

    def _household_let(self, house: House) -> None:
        rng = self.rng
        self._absent_owner(house)
        soon = rng.random() < 0.2
        lease_end = self.today + timedelta(days=rng.randint(1, 30) if soon else rng.randint(31, 700))
        lease, _ = self._lease(house, lease_end)
        if rng.random() < 0.35:
            self._past_lease(house, lease.valid_from - timedelta(days=rng.randint(1, 40)))

    def _household_between_lets(self, house: House) -> None:
        self._absent_owner(house)
        self._past_lease(house, self.today - timedelta(days=self.rng.randint(1, 90)))

    def _lease(self, house: House, until: date, *, current: bool = True) -> tuple[Occupancy, list[Occupancy]]:
        """A tenant with a one- or two-year lease ending on `until`, perhaps with family whose
        occupancies hang on the lease. Only current tenants keep cars here."""
        rng = self.rng
        origin = self._origin(0.25)
        age = rng.randint(22, 45)
        tenant = self._person(age=age, male=rng.random() < 0.5, origin=origin)
        start = until - timedelta(days=365 * rng.choice((1, 1, 2)) - 1)
        lease = self._occupy(house, tenant, Relation.TENANT, start, until=until)
        family = []
        if rng.random() < 0.4:
            spouse_age = max(21, age + rng.randint(-3, 3))
            spouse = self._person(age=spouse_age, male=tenant.gender != "M", origin=origin)
            family.append(self._occupy(house, spouse, Relation.FAMILY, start, until=until, sponsor=lease))
            if rng.random() < 0.5 and age >= 27:
                # Born before the lease began: an earlier tenancy may have ended years ago.
                youngest = max(0, (self.today - start).days // 365 + 1)
                child_age = rng.randint(youngest, max(youngest, min(age - 25, 12)))
                child = self._person(age=child_age, male=rng.random() < 0.5, origin=origin)
                family.append(self._occupy(house, child, Relation.FAMILY, start, until=until, sponsor=lease))
        if current:
            self._maybe_vehicles(house, tenant, origin, 0.3)
        return lease, family

    def _past_lease(self, house: House, last_day: date) -> None:
        """An earlier tenancy: ran to its end, or (one in five) ended early by the landlord."""
        planned_extra = self.rng.randint(30, 200) if self.rng.random() < 0.2 else 0
        lease, family = self._lease(house, last_day + timedelta(days=planned_extra), current=False)
        if lease.valid_to > last_day:
            ended_at = timezone.make_aware(datetime.combine(last_day, time(10, 0)))
            lease.end_reason = EndReason.LEASE_ENDED_EARLY
            for occupancy in (lease, *family):
                occupancy.valid_to = max(last_day, occupancy.valid_from)
                occupancy.ended_at = ended_at
                occupancy.end_reason = occupancy.end_reason or EndReason.SPONSOR_ENDED

    def _shop(self, house: House) -> None:
        owner = self._absent_owner(house)
        if self.rng.random() < 0.8:
            used = {o.name for o in self.organizations}
            free = [m for m in MERCHANTS if m not in used]
            if free:
                self._organization(OrgKind.MERCHANT, self.rng.choice(free), contact=owner, house=house)

    def _storage(self, house: House) -> None:
        """Storage rooms belong to flat owners of the same building."""
        heads = self.heads_by_building.get(id(house.building))
        if heads and self.rng.random() < 0.85:
            self._occupy(
                house,
                self.rng.choice(heads),
                Relation.OWNER,
                self.today - timedelta(days=400),
                lives_here=False,
            )

    def _plan_demo_residents(self, flats: list[House]) -> None:
        """The two resident logins: an owner living in one flat who lets another to the tenant."""
        if self.site is not SITES[0]:
            return
        home, let = flats.pop(len(flats) // 3), flats.pop(len(flats) // 2)
        User = get_user_model()
        owner = self._person(age=42, male=True, name="陈志明", phone=OWNER_PHONE)
        tenant = self._person(age=29, male=False, name="刘晓燕", phone=TENANT_PHONE, origin="420106")
        for person, label in ((owner, "陈志明"), (tenant, "刘晓燕")):
            user = User.objects.filter(phone_bidx=person.phone_bidx).first()
            if user is None:
                user = User(username=person.phone, display_name=label, password=make_password(None))
                user.set_phone(person.phone)
                self.users.append(user)
            person.user = user
        since = self.today - timedelta(days=365 * 6)
        self._occupy(home, owner, Relation.OWNER, since)
        self.heads_by_building.setdefault(id(home.building), []).append(owner)
        spouse = self._person(age=40, male=False, name="周敏")
        self._occupy(home, spouse, Relation.CO_OWNER, since)
        self._occupy(home, self._person(age=9, male=True, name="陈子轩"), Relation.FAMILY, since)
        self._occupy(let, owner, Relation.OWNER, self.today - timedelta(days=365 * 3), lives_here=False)
        self._occupy(
            let,
            tenant,
            Relation.TENANT,
            self.today - timedelta(days=240),
            until=self.today + timedelta(days=125),
        )
        self._vehicle(home, owner, None, new_energy=True)

    # --- vehicles, parking, organisations, grids, care ---------------------------------------

    def _maybe_vehicles(self, house: House, driver: Person, origin: str | None, share: float) -> None:
        if self.rng.random() < share:
            self._vehicle(house, driver, origin, new_energy=self.rng.random() < 0.25)
            if self.rng.random() < 0.12:
                self._vehicle(house, driver, origin, new_energy=False)

    def _vehicle(self, house: House, driver: Person, origin: str | None, *, new_energy: bool) -> None:
        rng = self.rng
        province = self._plate_province(origin)
        issuers = self.site.plate_issuers if province == self.site.plate_province else "AB"
        plate = make_plate(rng, province, issuers, new_energy=new_energy)
        while plate in self._plates:
            plate = make_plate(rng, province, issuers, new_energy=new_energy)
        self._plates.add(plate)
        vehicle = Vehicle(
            community=self.community,
            plate=plate,
            plate_bidx=blind_index("plate", plate),
            kind=VehicleKind.EV if new_energy else VehicleKind.CAR,
            color=rng.choice(CAR_COLOURS),
            person=driver,
            house=house,
        )
        self.vehicles.append(vehicle)
        if rng.random() < 0.55:
            rented = rng.random() < 0.4
            self._space(
                SpaceKind.RENTED
                if rented
                else rng.choices((SpaceKind.OWNED, SpaceKind.SHARED), (0.9, 0.1))[0],
                house=house,
                vehicle=vehicle,
                valid_to=self.today + timedelta(days=rng.randint(20, 365)) if rented else None,
            )

    def _space(self, kind: str, *, house=None, vehicle=None, valid_to=None) -> None:
        if kind == SpaceKind.VISITOR:
            number, area_name = f"V{next(self._visitor_numbers):02d}", "地面访客车位"
        else:
            n = next(self._space_numbers)
            level = 1 if n <= 300 else 2
            number, area_name = f"B{level}-{n:03d}", f"地下{'一二'[level - 1]}层车库"
        self.spaces.append(
            ParkingSpace(
                community=self.community,
                number=number,
                kind=kind,
                area_name=area_name,
                house=house,
                vehicle=vehicle,
                valid_to=valid_to,
            )
        )

    def _organization(self, kind: str, name: str, *, contact: Person | None = None, house=None) -> None:
        code_kind = {OrgKind.GOVERNMENT: "11", OrgKind.SOCIAL: "52", OrgKind.COMMITTEE: "52"}.get(kind, "91")
        self.organizations.append(
            Organization(
                community=self.community,
                kind=kind,
                name=name,
                credit_code=make_credit_code(self.rng, area=self.site.id_area, kind=code_kind),
                contact_name=contact.name
                if contact
                else names.full_name(
                    self.rng, male=self.rng.random() < 0.5, born_year=self.rng.randint(1965, 1990)
                ),
                contact_phone=f"{self.site.landline}-{self.rng.randint(5000_0000, 8999_9999)}",
                house=house,
            )
        )

    def _plan_organizations(self) -> None:
        site = self.site
        for _ in range(10 if not self.small else 2):
            self._space(SpaceKind.VISITOR)
        self._organization(OrgKind.PROPERTY_COMPANY, site.property_company)
        self._organization(OrgKind.COMMITTEE, f"{site.name}业主委员会")
        self._organization(OrgKind.GOVERNMENT, site.street_office)
        self._organization(OrgKind.GOVERNMENT, f"{site.name.removesuffix('小区')}社区居民委员会")
        self._organization(OrgKind.SOCIAL, f"{site.name.removesuffix('小区')}志愿者服务队")

    def _plan_grids(self) -> None:
        count = max(1, round(len(self.buildings) / 6))
        size = -(-len(self.buildings) // count)
        for i in range(count):
            grid = Grid(community=self.community, name=f"第{'一二三四五六'[i]}网格")
            self.grids.append((grid, self.buildings[i * size : (i + 1) * size]))

    def _care_tag(
        self,
        person: Person,
        kind: str,
        note: str,
        *,
        consent_by: str | None = None,
        contact: Person | None = None,
    ) -> None:
        rng = self.rng
        consented = self.today - timedelta(days=rng.randint(3, 600))
        self.care_tags.append(
            CareTag(
                person=person,
                community=self.community,
                kind=kind,
                note=note,
                consent_at=timezone.make_aware(datetime.combine(consented, time(rng.randint(9, 17), 0))),
                consent_by=consent_by or person.name,
                consent_method=rng.choice(CONSENT_METHODS),
                emergency_contact=contact,
            )
        )

    # --- writing ----------------------------------------------------------------------------

    def _save(self) -> None:
        for rows in (self.buildings, self.units, self.houses):
            type(rows[0]).objects.bulk_create(rows)
        get_user_model().objects.bulk_create(self.users)
        for rows in (self.people, self.occupancies, self.dependents, self.vehicles, self.spaces):
            if rows:
                type(rows[0]).objects.bulk_create(rows)
        Organization.objects.bulk_create(self.organizations)
        Grid.objects.bulk_create([grid for grid, _ in self.grids])
        Grid.buildings.through.objects.bulk_create(
            [
                Grid.buildings.through(grid_id=grid.pk, building_id=building.pk)
                for grid, buildings in self.grids
                for building in buildings
            ]
        )
        CareTag.objects.bulk_create(self.care_tags)

    def counts(self) -> dict:
        """What was built, with the population computed from the plan (the registry's own query
        must agree, which the tests check)."""
        occupancies = self.occupancies + self.dependents
        living = [
            o
            for o in occupancies
            if o.lives_here and o.house.type == HouseType.RESIDENTIAL and o.is_active(self.today)
        ]
        residents = {id(o.person): o.person for o in living}
        return {
            "buildings": len(self.buildings),
            "houses": len(self.houses),
            "people": len(self.people),
            "occupancies": len(occupancies),
            "vehicles": len(self.vehicles),
            "parking_spaces": len(self.spaces),
            "organizations": len(self.organizations),
            "grids": len(self.grids),
            "care_tags": len(self.care_tags),
            "population": {
                "real": len(residents),
                "floating": sum(1 for p in residents.values() if not p.hukou_local),
                "tenants": len({id(o.person) for o in living if o.relation == Relation.TENANT}),
                "households": len({id(o.house) for o in living}),
            },
        }

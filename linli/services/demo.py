"""services' part of a demo community, called by the demo seeder after engage: a vetted cleaning
company and a care provider with a few offerings, an activity room and a court, a booking of
each, two health links, the two recommendation rules and one opted-in household. Through the
real services; a community that already has providers is left as it is."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.registry.choices import OWNING, OrgKind
from linli.registry.models import Occupancy, Organization
from linli.services.models import Provider
from linli.services.services import bookings, links, providers, recommend, venues

# (organisation, licence kind, [(category, title, minutes, price in fen or None, [(weekday, hour, capacity)])])
PROVIDERS = (
    (
        "洁家家政服务有限公司",
        "家政服务备案",
        [
            ("home_cleaning", "日常保洁2小时", 120, 12000, [(2, 9, 2), (5, 14, 2)]),
            ("appliance_repair", "空调清洗与维修", 90, None, [(3, 10, 1)]),
        ],
    ),
    (
        "夕阳红居家养老服务中心",
        "养老机构备案",
        [
            ("elderly_care_visit", "上门探访与助浴", 60, 5000, [(0, 9, 3), (3, 15, 3)]),
            ("elderly_meals", "老年助餐送餐", 30, 1500, [(d, 11, 20) for d in range(5)]),
        ],
    ),
)
RULES = (
    ("child_under_6", "childcare", "因为您家有6岁以下儿童"),
    ("elderly_alone", "elderly_care_visit", "因为您家有70岁以上老人独居"),
)


def _next(weekday: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def seed_services_demo(community: Community, *, seed: int = 42) -> dict:
    if Provider.objects.filter(community=community).exists():
        return {"skipped": True}
    manager = Membership.objects.filter(community=community, role=Role.PROPERTY_MANAGER).first()
    if manager is None:
        return {"skipped": True}
    staff = manager.user
    offerings = []
    for name, licence_kind, items in PROVIDERS:
        org = Organization.objects.create(community=community, kind=OrgKind.SOCIAL, name=name)
        provider = providers.do_register_provider(
            actor=staff, community_id=community.pk, organization_id=org.pk
        )
        providers.do_record_licence(
            actor=staff,
            provider=provider,
            licence_number=f"{community.code.upper()}-{provider.pk:04d}",
            licence_kind=licence_kind,
            valid_until=timezone.localdate() + timedelta(days=365),
        )
        # No password and no phone: whoever demonstrates the provider's page sets one first.
        login = get_user_model()(username=f"demo-{community.code}-provider-{provider.pk}", display_name=name)
        login.set_unusable_password()
        login.save()
        providers.do_add_provider_staff(actor=staff, provider=provider, user_id=login.pk)
        for category, title, minutes, price, slots in items:
            offering = providers.do_create_offering(
                actor=staff,
                provider=provider,
                category=category,
                title=title,
                duration_minutes=minutes,
                price_fen=price,
            )
            for weekday, hour, capacity in slots:
                providers.do_add_slot(
                    actor=staff, offering=offering, weekday=weekday, start_time=time(hour), capacity=capacity
                )
            offerings.append(offering)
    room = venues.do_create_venue(
        actor=staff,
        community_id=community.pk,
        name="居民活动室",
        kind="activity_room",
        opens_at=time(8),
        closes_at=time(21),
    )
    venues.do_create_venue(
        actor=staff,
        community_id=community.pk,
        name="羽毛球场",
        kind="court",
        opens_at=time(6),
        closes_at=time(22),
        owners_only=True,
        deposit_fen=5000,
        rules="请穿运动鞋入场，用后归还球网钥匙。",
    )
    for name, url in (
        ("社区卫生服务中心预约挂号", "https://example.org/clinic"),
        ("区人民医院预约", "https://example.org/hospital"),
    ):
        links.do_add_health_link(actor=staff, community_id=community.pk, name=name, url=url)
    for condition, category, reason in RULES:
        recommend.do_create_rule(
            actor=staff, community_id=community.pk, condition=condition, category=category, reason=reason
        )
    owner = (
        Occupancy.objects.active()
        .filter(house__community=community, relation__in=OWNING, person__user__isnull=False)
        .select_related("person__user")
        .order_by("id")
        .first()
    )
    booked = 0
    if owner is not None:
        user, house_id = owner.person.user, owner.house_id
        cleaning = offerings[0]
        slot = cleaning.slots.order_by("weekday").first()
        bookings.do_book_service(
            actor=user, offering=cleaning, slot_id=slot.pk, on=_next(slot.weekday), house_id=house_id
        )
        venues.do_book_venue(
            actor=user,
            venue=room,
            house_id=house_id,
            starts_at=timezone.make_aware(datetime.combine(_next(5), time(14))),
            slots=2,
            purpose="亲子读书会",
        )
        recommend.do_opt_in(actor=user, house_id=house_id)
        booked = 2
    return {"providers": len(PROVIDERS), "offerings": len(offerings), "venues": 2, "bookings": booked}

"""/api/v1/services: the catalogue and service bookings, venues, health links and
recommendations, for residents (`/my/...`), providers' logins (`/provider/...`) and staff
(`/communities/{id}/...`). Thin: reads through queries, writes through the services; names are
masked wherever staff or a provider see them. Error codes: docs/services.md."""

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from ninja import Router, Status

from linli.core.http import community_for, get_or_404
from linli.core.masking import mask_name, mask_phone
from linli.core.roles import Action
from linli.services import queries
from linli.services.models import (
    Provider,
    ProviderStaff,
    ServiceBooking,
    ServiceOffering,
    Venue,
    VenueBooking,
)
from linli.services.schemas import (
    BookForIn,
    BookingIn,
    BookingOut,
    CompleteIn,
    ConsentOut,
    DepositIn,
    HealthLinkIn,
    HealthLinkOut,
    HouseIn,
    LicenceIn,
    OfferingIn,
    OfferingOut,
    OfferingPatch,
    ProviderIn,
    ProviderLoginIn,
    ProviderLoginOut,
    ProviderOut,
    ProviderStaffIn,
    RatingIn,
    RecommendationOut,
    RuleIn,
    RuleOut,
    RulePatch,
    SlotIn,
    SlotOut,
    SlotPatch,
    TakenOut,
    VenueBookingIn,
    VenueBookingOut,
    VenueIn,
    VenueOut,
    VenuePatch,
)
from linli.services.services import bookings, links, providers, recommend, venues

router = Router(tags=["services"])


def provider_out(p: Provider) -> dict:
    out = {f: getattr(p, f) for f in ProviderOut.model_fields if hasattr(p, f)}
    return out | {"name": p.organization.name, "vetted": p.is_vetted()}


def offering_out(o: ServiceOffering) -> dict:
    out = {f: getattr(o, f) for f in OfferingOut.model_fields if f not in ("slots", "provider_name")}
    return out | {"provider_name": o.provider.organization.name, "slots": list(o.slots.all())}


def login_out(link: ProviderStaff) -> dict:
    user = link.user
    return {
        "provider_id": link.provider_id,
        "user_id": user.pk,
        "name": mask_name(user.display_name or user.username),
        "phone": mask_phone(user.phone),
    }


def booking_out(b: ServiceBooking, *, masked: bool) -> dict:
    out = {f: getattr(b, f) for f in BookingOut.model_fields if hasattr(b, f)}
    return out | {
        "offering_title": b.offering.title,
        "provider_name": b.offering.provider.organization.name,
        "house_label": b.house.label,
        "person_name": mask_name(b.person_name) if masked else b.person_name,
    }


def venue_booking_out(b: VenueBooking) -> dict:
    out = {f: getattr(b, f) for f in VenueBookingOut.model_fields if hasattr(b, f)}
    return out | {"venue_name": b.venue.name, "house_label": b.house.label}


# --- the resident: catalogue and bookings -----------------------------------------------------------


@router.get("/my/offerings", response=list[OfferingOut])
def my_offerings(request):
    """What the user's communities offer from vetted providers."""
    return [offering_out(o) for o in queries.resident_offerings(request.user)]


@router.post("/offerings/{offering_id}/bookings", response={201: BookingOut})
def book(request, offering_id: int, payload: BookingIn):
    """For the user's household. 400 bad_slot / booking_in_past, 409 slot_full /
    provider_not_vetted, 404 not_found (the house is not in the offering's community)."""
    offering = get_or_404(queries.resident_offerings(request.user), pk=offering_id)
    booking = bookings.do_book_service(
        actor=request.user,
        offering=offering,
        slot_id=payload.slot_id,
        on=payload.date,
        house_id=payload.house_id,
        note=payload.note,
    )
    return Status(201, booking_out(booking, masked=False))


@router.get("/my/bookings", response=list[BookingOut])
def my_bookings(request):
    return [booking_out(b, masked=False) for b in queries.my_bookings(request.user)]


def _booking_for_household_or_staff(request, booking_id: int) -> ServiceBooking:
    found = (
        queries.my_bookings(request.user).filter(pk=booking_id).first()
        or queries.bookings(request.user).filter(pk=booking_id).first()
    )
    if found is None:
        raise Http404
    return found


@router.post("/bookings/{booking_id}/cancel", response=BookingOut)
def cancel(request, booking_id: int):
    """The household, or staff holding services.book_for (代办). 409 booking_started /
    not_cancellable, 403 forbidden."""
    booking = _booking_for_household_or_staff(request, booking_id)
    booking = bookings.do_cancel_booking(actor=request.user, booking=booking)
    return booking_out(booking, masked=not queries.my_bookings(request.user).filter(pk=booking.pk).exists())


@router.post("/bookings/{booking_id}/rating", response=BookingOut)
def rate(request, booking_id: int, payload: RatingIn):
    """Once, after completion. 409 not_completed / already_rated."""
    booking = get_or_404(queries.my_bookings(request.user), pk=booking_id)
    booking = bookings.do_rate_booking(actor=request.user, booking=booking, **payload.model_dump())
    return booking_out(booking, masked=False)


# --- the provider's logins -----------------------------------------------------------------------


@router.get("/provider/bookings", response=list[BookingOut])
def provider_bookings(request):
    """The bookings of the user's provider(s), names masked."""
    return [booking_out(b, masked=True) for b in queries.provider_bookings(request.user)[:500]]


def _handled(request, booking_id: int) -> ServiceBooking:
    found = queries.handled_booking(request.user, booking_id)
    if found is None:
        raise Http404  # another provider's booking: as if it did not exist
    return found


@router.post("/bookings/{booking_id}/confirm", response=BookingOut)
def confirm(request, booking_id: int):
    """The provider's staff (or services.manage). 409 not_requested."""
    booking = bookings.do_confirm_booking(actor=request.user, booking=_handled(request, booking_id))
    return booking_out(booking, masked=True)


@router.post("/bookings/{booking_id}/complete", response=BookingOut)
def complete(request, booking_id: int, payload: CompleteIn):
    """With the fee and whether it was paid on site. 409 not_confirmed."""
    booking = bookings.do_complete_booking(
        actor=request.user, booking=_handled(request, booking_id), **payload.model_dump()
    )
    return booking_out(booking, masked=True)


# --- the resident: venues, health links, recommendations ------------------------------------------


@router.get("/my/venues", response=list[VenueOut])
def my_venues(request):
    return list(queries.resident_venues(request.user))


@router.get("/venues/{venue_id}/taken", response=list[TakenOut])
def venue_taken(request, venue_id: int):
    """When the venue is booked over the next four weeks: times only, no household named."""
    venue = _venue(request, venue_id)
    start = timezone.now()
    end = start + timedelta(days=28)
    return [{"starts_at": s, "ends_at": e} for s, e in queries.taken_times(venue, start, end)]


def _venue(request, venue_id: int) -> Venue:
    found = (
        queries.resident_venues(request.user).filter(pk=venue_id).first()
        or queries.venues(request.user).filter(pk=venue_id).first()
    )
    if found is None:
        raise Http404
    return found


@router.post("/venues/{venue_id}/bookings", response={201: VenueBookingOut})
def book_venue(request, venue_id: int, payload: VenueBookingIn):
    """For the user's household, or by staff holding services.book_for (代办). 400 venue_closed /
    booking_in_past, 403 venue_not_for_you, 409 venue_weekly_limit / venue_slot_taken."""
    booking = venues.do_book_venue(
        actor=request.user, venue=_venue(request, venue_id), **payload.model_dump()
    )
    return Status(201, venue_booking_out(booking))


@router.get("/my/venue-bookings", response=list[VenueBookingOut])
def my_venue_bookings(request):
    return [venue_booking_out(b) for b in queries.my_venue_bookings(request.user)]


@router.post("/venue-bookings/{venue_booking_id}/cancel", response=VenueBookingOut)
def cancel_venue_booking(request, venue_booking_id: int):
    """409 booking_started / not_cancellable."""
    found = (
        queries.my_venue_bookings(request.user).filter(pk=venue_booking_id).first()
        or queries.venue_bookings(request.user).filter(pk=venue_booking_id).first()
    )
    if found is None:
        raise Http404
    return venue_booking_out(venues.do_cancel_venue_booking(actor=request.user, booking=found))


@router.get("/my/health-links", response=list[HealthLinkOut])
def my_health_links(request):
    return list(queries.resident_health_links(request.user))


@router.get("/my/houses/{house_id}/recommendations", response=list[RecommendationOut])
def my_recommendations(request, house_id: int):
    """Empty unless the household opted in (and has not withdrawn); 404 for anyone else's house."""
    if not queries.lives_in(request.user, house_id):
        raise Http404
    return [r.__dict__ for r in queries.recommendations(request.user, house_id)]


@router.get("/my/houses/{house_id}/consent", response=ConsentOut)
def my_consent(request, house_id: int):
    if not queries.lives_in(request.user, house_id):
        raise Http404
    consent = queries.consent_of(house_id)
    return {"house_id": house_id, "opted_in": consent is not None, "given_at": consent and consent.given_at}


@router.post("/my/consent", response={201: ConsentOut})
def opt_in(request, payload: HouseIn):
    """409 already_opted_in."""
    consent = recommend.do_opt_in(actor=request.user, house_id=payload.house_id)
    return Status(201, {"house_id": payload.house_id, "opted_in": True, "given_at": consent.given_at})


@router.post("/my/consent/withdraw", response=ConsentOut)
def withdraw(request, payload: HouseIn):
    """409 not_opted_in."""
    recommend.do_withdraw_consent(actor=request.user, house_id=payload.house_id)
    return {"house_id": payload.house_id, "opted_in": False, "given_at": None}


@router.post("/my/houses/{house_id}/recommendations/{recommendation_rule_id}/dismiss", response={204: None})
def dismiss(request, house_id: int, recommendation_rule_id: int):
    """不感兴趣: not shown to this household again."""
    recommend.do_dismiss(actor=request.user, house_id=house_id, rule_id=recommendation_rule_id)
    return Status(204, None)


# --- staff ---------------------------------------------------------------------------------------


@router.get("/communities/{community_id}/providers", response=list[ProviderOut])
def community_providers(request, community_id: int):
    community_for(request, community_id, Action.SERVICES_VIEW)
    return [provider_out(p) for p in queries.providers(request.user, community_id)]


@router.post("/communities/{community_id}/providers", response={201: ProviderOut})
def register_provider(request, community_id: int, payload: ProviderIn):
    """409 already_provider, 404 not_found (an organisation of another community)."""
    community_for(request, community_id, Action.SERVICES_VIEW)
    provider = providers.do_register_provider(
        actor=request.user, community_id=community_id, organization_id=payload.organization_id
    )
    return Status(201, provider_out(provider))


def _provider(request, provider_id: int) -> Provider:
    return get_or_404(Provider.objects.restrict(request.user, Action.SERVICES_VIEW), pk=provider_id)


@router.post("/providers/{provider_id}/licence", response=ProviderOut)
def record_licence(request, provider_id: int, payload: LicenceIn):
    """Vetting. 400 licence_expired."""
    provider = providers.do_record_licence(
        actor=request.user, provider=_provider(request, provider_id), **payload.model_dump()
    )
    return provider_out(provider)


@router.post("/providers/{provider_id}/staff", response={204: None})
def add_provider_staff(request, provider_id: int, payload: ProviderStaffIn):
    """409 already_staff."""
    providers.do_add_provider_staff(
        actor=request.user, provider=_provider(request, provider_id), user_id=payload.user_id
    )
    return Status(204, None)


@router.get("/providers/{provider_id}/staff", response=list[ProviderLoginOut])
def provider_staff(request, provider_id: int):
    """The provider's logins, names and phone numbers masked."""
    provider = _provider(request, provider_id)
    found = queries.provider_logins(request.user, provider.community_id).filter(provider=provider)
    return [login_out(link) for link in found]


@router.post("/providers/{provider_id}/staff/by-phone", response={201: ProviderLoginOut})
def link_provider_login(request, provider_id: int, payload: ProviderLoginIn):
    """Links the account that signs in with this phone number. 400 invalid_phone, 404 not_found
    (no account with that number), 409 already_staff."""
    link = providers.do_link_provider_login(
        actor=request.user, provider=_provider(request, provider_id), phone=payload.phone
    )
    return Status(201, login_out(link))


@router.delete("/providers/{provider_id}/staff/{user_id}", response={204: None})
def remove_provider_staff(request, provider_id: int, user_id: int):
    """Unlinks a login. 404 not_found (not a login of this provider)."""
    providers.do_remove_provider_staff(
        actor=request.user, provider=_provider(request, provider_id), user_id=user_id
    )
    return Status(204, None)


@router.get("/communities/{community_id}/offerings", response=list[OfferingOut])
def community_offerings(request, community_id: int):
    community_for(request, community_id, Action.SERVICES_VIEW)
    found = queries.offerings(request.user).filter(community_id=community_id).prefetch_related("slots")
    return [offering_out(o) for o in found]


@router.post("/providers/{provider_id}/offerings", response={201: OfferingOut})
def create_offering(request, provider_id: int, payload: OfferingIn):
    offering = providers.do_create_offering(
        actor=request.user, provider=_provider(request, provider_id), **payload.model_dump()
    )
    return Status(201, offering_out(offering))


@router.post("/offerings/{offering_id}/slots", response={201: SlotOut})
def add_slot(request, offering_id: int, payload: SlotIn):
    """409 slot_exists."""
    offering = get_or_404(queries.offerings(request.user), pk=offering_id)
    return Status(201, providers.do_add_slot(actor=request.user, offering=offering, **payload.model_dump()))


@router.patch("/offerings/{offering_id}", response=OfferingOut)
def update_offering(request, offering_id: int, payload: OfferingPatch):
    """Bookings already made keep their price and times."""
    offering = get_or_404(queries.offerings(request.user), pk=offering_id)
    offering = providers.do_update_offering(
        actor=request.user, offering=offering, **payload.model_dump(exclude_unset=True)
    )
    return offering_out(offering)


@router.post("/offerings/{offering_id}/retire", response=OfferingOut)
def retire_offering(request, offering_id: int):
    """下架: not listed to residents nor bookable; its bookings stay. 409 already_retired."""
    offering = get_or_404(queries.offerings(request.user), pk=offering_id)
    return offering_out(providers.do_retire_offering(actor=request.user, offering=offering))


@router.post("/offerings/{offering_id}/reopen", response=OfferingOut)
def reopen_offering(request, offering_id: int):
    """409 not_retired."""
    offering = get_or_404(queries.offerings(request.user), pk=offering_id)
    return offering_out(providers.do_reopen_offering(actor=request.user, offering=offering))


@router.patch("/slots/{service_slot_id}", response=SlotOut)
def update_slot(request, service_slot_id: int, payload: SlotPatch):
    """409 slot_capacity_below_booked (a day to come has more places taken), slot_has_bookings
    (a new time while live bookings are to come), slot_exists."""
    slot = get_or_404(queries.slots(request.user), pk=service_slot_id)
    return providers.do_update_slot(actor=request.user, slot=slot, **payload.model_dump(exclude_unset=True))


@router.post("/slots/{service_slot_id}/retire", response=SlotOut)
def retire_slot(request, service_slot_id: int):
    """No new bookings of the slot; those made stay. 409 already_retired."""
    slot = get_or_404(queries.slots(request.user), pk=service_slot_id)
    return providers.do_retire_slot(actor=request.user, slot=slot)


@router.post("/slots/{service_slot_id}/reopen", response=SlotOut)
def reopen_slot(request, service_slot_id: int):
    """409 not_retired."""
    slot = get_or_404(queries.slots(request.user), pk=service_slot_id)
    return providers.do_reopen_slot(actor=request.user, slot=slot)


@router.get("/communities/{community_id}/bookings", response=list[BookingOut])
def community_bookings(request, community_id: int):
    """The latest 500, names masked."""
    community_for(request, community_id, Action.SERVICES_VIEW)
    found = queries.bookings(request.user).filter(community_id=community_id)[:500]
    return [booking_out(b, masked=True) for b in found]


@router.post("/offerings/{offering_id}/bookings-for", response={201: BookingOut})
def book_for(request, offering_id: int, payload: BookForIn):
    """代办: staff holding services.book_for book for a resident (`person_id`) of a household;
    the household is told. 400 not_in_household, same refusals as a resident's booking."""
    offering = get_or_404(queries.offerings(request.user), pk=offering_id)
    booking = bookings.do_book_service(
        actor=request.user,
        offering=offering,
        slot_id=payload.slot_id,
        on=payload.date,
        house_id=payload.house_id,
        person_id=payload.person_id,
        note=payload.note,
    )
    return Status(201, booking_out(booking, masked=True))


@router.get("/communities/{community_id}/venues", response=list[VenueOut])
def community_venues(request, community_id: int):
    community_for(request, community_id, Action.SERVICES_VIEW)
    return list(queries.venues(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/venues", response={201: VenueOut})
def create_venue(request, community_id: int, payload: VenueIn):
    """400 bad_hours."""
    community_for(request, community_id, Action.SERVICES_VIEW)
    return Status(
        201, venues.do_create_venue(actor=request.user, community_id=community_id, **payload.model_dump())
    )


def _staff_venue(request, venue_id: int) -> Venue:
    return get_or_404(queries.venues(request.user), pk=venue_id)


@router.patch("/venues/{venue_id}", response=VenueOut)
def update_venue(request, venue_id: int, payload: VenuePatch):
    """The rules apply to bookings made from now on. 400 bad_hours."""
    return venues.do_update_venue(
        actor=request.user, venue=_staff_venue(request, venue_id), **payload.model_dump(exclude_unset=True)
    )


@router.post("/venues/{venue_id}/retire", response=VenueOut)
def retire_venue(request, venue_id: int):
    """暂停预订: new bookings are refused (409 venue_closed); those made stay. 409 already_retired."""
    return venues.do_retire_venue(actor=request.user, venue=_staff_venue(request, venue_id))


@router.post("/venues/{venue_id}/reopen", response=VenueOut)
def reopen_venue(request, venue_id: int):
    """409 not_retired."""
    return venues.do_reopen_venue(actor=request.user, venue=_staff_venue(request, venue_id))


@router.get("/communities/{community_id}/venue-bookings", response=list[VenueBookingOut])
def community_venue_bookings(request, community_id: int):
    """The venue calendar: upcoming and recent bookings (the latest 500)."""
    community_for(request, community_id, Action.SERVICES_VIEW)
    found = (
        queries.venue_bookings(request.user).filter(community_id=community_id).order_by("-starts_at")[:500]
    )
    return [venue_booking_out(b) for b in found]


@router.post("/venue-bookings/{venue_booking_id}/deposit", response=VenueBookingOut)
def move_deposit(request, venue_booking_id: int, payload: DepositIn):
    """Hold (due → held) or return (held → returned). 409 bad_deposit_step."""
    booking = get_or_404(queries.venue_bookings(request.user), pk=venue_booking_id)
    return venue_booking_out(venues.do_move_deposit(actor=request.user, booking=booking, step=payload.step))


@router.get("/communities/{community_id}/health-links", response=list[HealthLinkOut])
def community_health_links(request, community_id: int):
    community_for(request, community_id, Action.SERVICES_VIEW)
    return list(queries.health_links(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/health-links", response={201: HealthLinkOut})
def add_health_link(request, community_id: int, payload: HealthLinkIn):
    """400 https_only."""
    community_for(request, community_id, Action.SERVICES_VIEW)
    return Status(
        201, links.do_add_health_link(actor=request.user, community_id=community_id, **payload.model_dump())
    )


@router.delete("/health-links/{health_link_id}", response={204: None})
def remove_health_link(request, health_link_id: int):
    link = get_or_404(queries.health_links(request.user), pk=health_link_id)
    links.do_remove_health_link(actor=request.user, link=link)
    return Status(204, None)


@router.get("/communities/{community_id}/recommendation-rules", response=list[RuleOut])
def community_rules(request, community_id: int):
    community_for(request, community_id, Action.SERVICES_VIEW)
    return list(queries.rules(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/recommendation-rules", response={201: RuleOut})
def create_rule(request, community_id: int, payload: RuleIn):
    community_for(request, community_id, Action.SERVICES_VIEW)
    return Status(
        201, recommend.do_create_rule(actor=request.user, community_id=community_id, **payload.model_dump())
    )


@router.patch("/recommendation-rules/{recommendation_rule_id}", response=RuleOut)
def update_rule(request, recommendation_rule_id: int, payload: RulePatch):
    rule = get_or_404(queries.rules(request.user), pk=recommendation_rule_id)
    return recommend.do_update_rule(actor=request.user, rule=rule, **payload.model_dump(exclude_unset=True))

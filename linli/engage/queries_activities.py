"""Every read of activities, the yellow pages and mutual help that reaches a user, on
`restrict()` (staff) or `own()` (residents). `attended(activity_id)` is what the points area
reads to credit attendance."""

from django.db.models import Case, Count, Q, Sum, Value, When

from linli.core.roles import Action
from linli.engage.choices_surveys import RegistrationStatus
from linli.engage.models import Activity, DirectoryEntry, HelpPost, Registration


def activities(user):
    return Activity.objects.restrict(user, Action.ENGAGE_VIEW)


def community_activities(user, community_id: int):
    """Staff's list, with the confirmed, waiting and checked-in headcounts."""
    return (
        activities(user)
        .filter(community_id=community_id)
        .annotate(
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
            checked_in=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
        )
    )


def resident_activities(user):
    return Activity.objects.own(user).order_by("starts_at", "id")


# Staff's order of an activity's registrations (the statuses' names sort cancelled first).
_STATUS_ORDER = Case(
    When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
    When(status=RegistrationStatus.WAITING, then=Value(1)),
    default=Value(2),
)


def registrations(user, activity: Activity):
    """An activity's registrations for staff: confirmed then waiting (in queue order), then cancelled."""
    found = Registration.objects.restrict(user, Action.ENGAGE_VIEW).filter(activity=activity)
    return found.select_related("house", "house__building").order_by(_STATUS_ORDER, "queued_at", "id")


def my_registrations(user):
    return Registration.objects.filter(user=user).select_related("activity")


def my_registration(user, activity: Activity) -> Registration | None:
    live = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
    return my_registrations(user).filter(activity=activity, status__in=live).first()


def waiting_position(registration: Registration) -> int | None:
    """1 for the head of the waiting list."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        activity_id=registration.activity_id, status=RegistrationStatus.WAITING
    ).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def waiting_positions(activity: Activity) -> dict[int, int]:
    """Every waiting registration's place (1 for the head), in one read: for a list of them."""
    ids = Registration.objects.filter(activity=activity, status=RegistrationStatus.WAITING)
    return {pk: i for i, pk in enumerate(ids.order_by("queued_at", "id").values_list("pk", flat=True), 1)}


def attended(activity_id: int) -> list[dict]:
    """Who came: [{"user_id", "house_id", "party_size", "checked_in_at"}], for the points area
    (attendance earns points). No scope: the caller decides who may credit them."""
    return list(
        Registration.objects.filter(activity_id=activity_id, checked_in_at__isnull=False)
        .order_by("checked_in_at", "id")
        .values("user_id", "house_id", "party_size", "checked_in_at")
    )


def headcounts(activity: Activity) -> dict:
    rows = Registration.objects.filter(activity=activity).values("status").annotate(n=Sum("party_size"))
    return {r["status"]: r["n"] for r in rows}


# --- yellow pages and mutual help --------------------------------------------------------------


def directory(user, community_id: int | None = None):
    """Staff's entries of a community, or (without `community_id`) a resident's communities'."""
    if community_id is None:
        return DirectoryEntry.objects.own(user)
    return DirectoryEntry.objects.restrict(user, Action.ENGAGE_VIEW).filter(community_id=community_id)


def help_posts(user):
    """A resident's communities' posts, hidden ones left out."""
    return HelpPost.objects.own(user)


def help_posts_to_moderate(user, community_id: int):
    """Every post of the community, the most reported first."""
    found = HelpPost.objects.restrict(user, Action.ENGAGE_MODERATE).filter(community_id=community_id)
    return found.order_by("-reports", "-id")


def visible_help_post(user, post_id: int) -> HelpPost | None:
    return help_posts(user).filter(pk=post_id).first()


def registration_for(user, registration_id: int) -> Registration | None:
    """The user's own registration, or one staff may handle (engage.run)."""
    own = my_registrations(user).filter(pk=registration_id).first()
    if own is not None:
        return own
    return Registration.objects.restrict(user, Action.ENGAGE_RUN).filter(pk=registration_id).first()


def help_post_for(user, post_id: int) -> HelpPost | None:
    """A post the resident sees, or any of the community's for a moderator."""
    return (
        visible_help_post(user, post_id)
        or HelpPost.objects.restrict(user, Action.ENGAGE_MODERATE).filter(pk=post_id).first()
    )


def directory_entry(user, entry_id: int):
    """An entry staff may edit (engage.run)."""
    return DirectoryEntry.objects.restrict(user, Action.ENGAGE_RUN).filter(pk=entry_id).first()

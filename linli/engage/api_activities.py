"""/api/v1/engage: activities (sign up, cancel, the resident's check-in code; staff's lists,
registrations and check-in), the yellow pages and mutual help. Thin: reads through
queries_activities, writes through the services. Names are masked wherever staff or neighbours
see them."""

from django.http import Http404
from ninja import Router, Status

from linli.core.http import community_for, get_or_404
from linli.core.masking import mask_name
from linli.core.roles import Action
from linli.engage import queries_activities as queries
from linli.engage.models import Activity, HelpPost, Registration
from linli.engage.schemas_activities import (
    ActivityCancelIn,
    ActivityIn,
    ActivityOut,
    CheckinCodeOut,
    CheckInIn,
    DirectoryEntryIn,
    DirectoryEntryOut,
    HelpPostDetailOut,
    HelpPostIn,
    HelpPostOut,
    HelpReasonIn,
    HelpReplyIn,
    MyActivityOut,
    RegistrationOut,
    SignUpIn,
)
from linli.engage.services import activities as services
from linli.engage.services import activities_neighbours as neighbours

router = Router(tags=["engage-activities"])


def activity_out(activity: Activity, registration: Registration | None = None) -> dict:
    out = {f: getattr(activity, f) for f in ActivityOut.model_fields}
    out["registration"] = registration_out(registration) if registration else None
    return out


def registration_out(r: Registration, *, masked: bool = False, position: int | None = None) -> dict:
    """`position`: the waiting list's place when the caller knows it, else read for `r` alone."""
    return {
        "id": r.pk,
        "activity_id": r.activity_id,
        "name": mask_name(r.name) if masked else r.name,
        "party_size": r.party_size,
        "status": r.status,
        "waiting_position": position or queries.waiting_position(r),
        "checked_in_at": r.checked_in_at,
    }


def _activity(request, activity_id: int) -> Activity:
    """Staff's, or one of the resident's communities'."""
    found = (
        queries.activities(request.user).filter(pk=activity_id).first()
        or queries.resident_activities(request.user).filter(pk=activity_id).first()
    )
    if found is None:
        raise Http404
    return found


def _registration(request, registration_id: int) -> Registration:
    found = queries.registration_for(request.user, registration_id)
    if found is None:
        raise Http404
    return found


# --- activities: resident -----------------------------------------------------------------------


@router.get("/my/activities", response=list[MyActivityOut])
def my_activities(request):
    """The activities of the user's communities, each with the user's live registration."""
    mine = {r.activity_id: r for r in queries.my_registrations(request.user).filter(status__in=services.LIVE)}
    return [activity_out(a, mine.get(a.pk)) for a in queries.resident_activities(request.user)]


@router.get("/activities/{activity_id}", response=MyActivityOut)
def activity_detail(request, activity_id: int):
    activity = _activity(request, activity_id)
    return activity_out(activity, queries.my_registration(request.user, activity))


@router.post("/activities/{activity_id}/registrations", response={201: RegistrationOut})
def sign_up(request, activity_id: int, payload: SignUpIn):
    """Confirmed while seats last, else on the waiting list; 409 activity_closed /
    already_signed_up, 403 not_resident, 400 bad_party_size."""
    activity = queries.resident_activities(request.user).filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    registration = services.do_sign_up(actor=request.user, activity=activity, party_size=payload.party_size)
    return Status(201, registration_out(registration))


@router.post("/registrations/{registration_id}/cancel", response=RegistrationOut)
def cancel(request, registration_id: int):
    """The resident's own, or for them by staff with engage.run in the activity's community (代办,
    the resident is told; 403 otherwise); the waiting list moves up. 409 not_registered /
    already_checked_in."""
    registration = _registration(request, registration_id)
    services.do_cancel_registration(actor=request.user, registration=registration)
    return registration_out(registration, masked=registration.user_id != request.user.pk)


@router.get("/registrations/{registration_id}/code", response=CheckinCodeOut)
def checkin_code(request, registration_id: int):
    """What the resident's QR code shows at the door: their own confirmed registration's."""
    registration = (
        queries.my_registrations(request.user).filter(pk=registration_id, status="confirmed").first()
    )
    if registration is None:
        raise Http404
    return {"registration_id": registration.pk, "code": services.checkin_code(registration)}


# --- activities: staff ----------------------------------------------------------------------------


@router.get("/communities/{community_id}/activities", response=list[ActivityOut])
def activities(request, community_id: int):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return [activity_out(a) for a in queries.community_activities(request.user, community_id)]


@router.post("/communities/{community_id}/activities", response={201: ActivityOut})
def create_activity(request, community_id: int, payload: ActivityIn):
    """400 bad_dates / bad_capacity, 403 without engage.run."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    activity = services.do_create_activity(
        actor=request.user, community_id=community_id, **payload.model_dump()
    )
    return Status(201, activity_out(activity))


@router.get("/activities/{activity_id}/registrations", response=list[RegistrationOut])
def registrations(request, activity_id: int):
    """Confirmed, then the waiting list in order, then cancelled; names masked."""
    activity = get_or_404(queries.activities(request.user), pk=activity_id)
    positions = queries.waiting_positions(activity)  # the whole queue's, whatever staff see of it
    rows = queries.registrations(request.user, activity)
    return [registration_out(r, masked=True, position=positions.get(r.pk)) for r in rows]


@router.post("/activities/{activity_id}/cancel", response=ActivityOut)
def cancel_activity(request, activity_id: int, payload: ActivityCancelIn):
    """engage.run, with the reason everyone signed up is told: every sign-up and the waiting list
    are cancelled. 400 reason_required, 409 activity_cancelled / activity_ended."""
    activity = get_or_404(queries.activities(request.user), pk=activity_id)
    return activity_out(
        services.do_cancel_activity(actor=request.user, activity=activity, reason=payload.reason)
    )


@router.post("/activities/{activity_id}/check-ins", response=RegistrationOut)
def check_in(request, activity_id: int, payload: CheckInIn):
    """A scanned or typed code: 400 bad_code / other_activity, 409 not_confirmed / already_checked_in /
    activity_cancelled."""
    activity = get_or_404(queries.activities(request.user), pk=activity_id)
    registration = services.do_check_in(actor=request.user, activity=activity, code=payload.code)
    return registration_out(registration, masked=True)


# --- yellow pages --------------------------------------------------------------------------------


@router.get("/my/directory", response=list[DirectoryEntryOut])
def my_directory(request):
    return queries.directory(request.user)


@router.get("/communities/{community_id}/directory", response=list[DirectoryEntryOut])
def directory(request, community_id: int):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return queries.directory(request.user, community_id)


@router.post("/communities/{community_id}/directory", response={201: DirectoryEntryOut})
def create_entry(request, community_id: int, payload: DirectoryEntryIn):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    entry = neighbours.do_save_entry(
        actor=request.user, community_id=community_id, values=payload.model_dump()
    )
    return Status(201, entry)


def _entry(request, entry_id: int):
    entry = queries.directory_entry(request.user, entry_id)
    if entry is None:
        raise Http404
    return entry


@router.put("/directory/{directory_entry_id}", response=DirectoryEntryOut)
def update_entry(request, directory_entry_id: int, payload: DirectoryEntryIn):
    entry = _entry(request, directory_entry_id)
    return neighbours.do_save_entry(
        actor=request.user, community_id=entry.community_id, values=payload.model_dump(), entry=entry
    )


@router.delete("/directory/{directory_entry_id}", response={204: None})
def delete_entry(request, directory_entry_id: int):
    neighbours.do_delete_entry(actor=request.user, entry=_entry(request, directory_entry_id))
    return Status(204, None)


# --- mutual help ---------------------------------------------------------------------------------


def help_out(request, post: HelpPost, *, staff: bool = False, replies: bool = False) -> dict:
    out = {
        "id": post.pk,
        "community_id": post.community_id,
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "author": mask_name(post.author_name),
        "status": post.status,
        "created_at": post.created_at,
        "mine": post.author_id == request.user.pk,
        "reports": post.reports if staff else None,
        "hidden_reason": post.hidden_reason if staff or post.author_id == request.user.pk else "",
    }
    if replies:
        out["replies"] = [
            {
                "id": r.pk,
                "author": mask_name(r.author_name),
                "body": r.body,
                "offers_help": r.offers_help,
                "created_at": r.created_at,
            }
            for r in post.replies.all()
        ]
    return out


def _post(request, post_id: int) -> HelpPost:
    found = queries.help_post_for(request.user, post_id)
    if found is None:
        raise Http404
    return found


@router.get("/my/help", response=list[HelpPostOut])
def help_posts(request):
    """Open and closed posts of the user's communities (hidden ones left out), newest first."""
    return [help_out(request, p) for p in queries.help_posts(request.user)[:100]]


@router.post("/help", response={201: HelpPostOut})
def post_help(request, payload: HelpPostIn):
    """403 not_resident unless the user lives in the community."""
    post = neighbours.do_post_help(actor=request.user, **payload.model_dump())
    return Status(201, help_out(request, post))


@router.get("/communities/{community_id}/help", response=list[HelpPostOut])
def help_to_moderate(request, community_id: int):
    """Every post of the community, the most reported first (engage.moderate)."""
    community_for(request, community_id, Action.ENGAGE_MODERATE)
    return [
        help_out(request, p, staff=True) for p in queries.help_posts_to_moderate(request.user, community_id)
    ]


@router.get("/help/{help_post_id}", response=HelpPostDetailOut)
def help_detail(request, help_post_id: int):
    post = _post(request, help_post_id)
    return help_out(request, post, replies=True)


@router.post("/help/{help_post_id}/replies", response={201: HelpPostDetailOut})
def reply_help(request, help_post_id: int, payload: HelpReplyIn):
    """409 post_closed."""
    post = _post(request, help_post_id)
    neighbours.do_reply_help(actor=request.user, post=post, **payload.model_dump())
    return Status(201, help_out(request, post, replies=True))


@router.post("/help/{help_post_id}/close", response=HelpPostOut)
def close_help(request, help_post_id: int):
    """The author's; 409 post_closed."""
    return help_out(request, neighbours.do_close_help(actor=request.user, post=_post(request, help_post_id)))


@router.post("/help/{help_post_id}/reports", response={204: None})
def report_help(request, help_post_id: int, payload: HelpReasonIn):
    """Once per person: 409 already_reported."""
    neighbours.do_report_help(actor=request.user, post=_post(request, help_post_id), reason=payload.reason)
    return Status(204, None)


@router.post("/help/{help_post_id}/hide", response=HelpPostOut)
def hide_help(request, help_post_id: int, payload: HelpReasonIn):
    """engage.moderate, with a reason told to the author; 409 already_hidden."""
    post = neighbours.do_hide_help(
        actor=request.user, post=_post(request, help_post_id), reason=payload.reason
    )
    return help_out(request, post, staff=True)

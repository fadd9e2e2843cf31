"""/api/v1/engage: notices (ENG-1) — compose, target and publish, read rates per building, the
unread households and who was told in person for staff; a resident's notices with confirm.
Thin: reads through queries_notices, writes through services.notices (docs/engage.md)."""

from django.http import Http404, HttpResponse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from linli.core.http import community_for
from linli.core.masking import mask_name, mask_phone
from linli.core.roles import Action
from linli.core.schema_types import Cursor, Id
from linli.engage import queries_notices as queries
from linli.engage.models import Notice, NoticeAttachment
from linli.engage.schemas_notices import (
    MyNoticeOut,
    MyNoticesOut,
    NoticeAttachmentOut,
    NoticeHouseholdPageOut,
    NoticeIn,
    NoticeOut,
    NoticePinIn,
    NoticePublishIn,
    NoticeReachOut,
    NoticeStatsOut,
    NoticeTargetIn,
    NoticeToldIn,
)
from linli.engage.services import notices as services
from linli.engage.services.notices_audience import Target
from linli.registry.io.reader import check_size

router = Router(tags=["engage"])
PAGE = 50


def attachment_out(a: NoticeAttachment) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "content_type": a.content_type,
        "size": a.size,
        "url": f"/api/v1/engage/notice-files/{a.pk}",
    }


def my_notice_out(n: Notice, attachments: list | None = None) -> dict:
    return {
        "id": n.pk,
        "title": n.title,
        "body": n.body,
        "must_confirm": n.must_confirm,
        "urgent": n.urgent,
        "pinned": n.pinned,
        "published_at": n.published_at,
        "read": n.my_read_at is not None,  # type: ignore[attr-defined]
        "confirmed": n.household_confirmed_at is not None,  # type: ignore[attr-defined]
        "attachments": [attachment_out(a) for a in attachments or []],
    }


def _staff_notice(request, notice_id: int) -> Notice:
    found = queries.notice(request.user, notice_id)
    if found is None:
        raise Http404
    return found


# --- the resident's (fixed paths first) ----------------------------------------------------------
@router.get("/my/notices", response=MyNoticesOut)
def my_notices(request):
    """The notices delivered to me, pinned first, with the unread count (the badge)."""
    items = [my_notice_out(n) for n in queries.my_notices(request.user)[:100]]
    return {"unread": queries.my_unread_count(request.user), "items": items}


@router.get("/my/notices/{notice_id}", response=MyNoticeOut)
def my_notice(request, notice_id: Id):
    """One of my notices; opening it is my household's read receipt."""
    services.do_read_notice(actor=request.user, notice_id=notice_id)
    found = queries.my_notice(request.user, notice_id)
    if found is None:
        raise Http404
    return my_notice_out(found, queries.attachments(found))


@router.post("/my/notices/{notice_id}/confirm", response=MyNoticeOut)
def my_notice_confirm(request, notice_id: Id):
    """ "I have read it" for my household (a must-confirm notice); 400 `confirm_not_needed`."""
    services.do_confirm_notice(actor=request.user, notice_id=notice_id)
    found = queries.my_notice(request.user, notice_id)
    if found is None:
        raise Http404
    return my_notice_out(found, queries.attachments(found))


@router.get("/notice-files/{attachment_id}")
def notice_file(request, attachment_id: Id):
    """An attachment, for staff who see its notice or a resident it was delivered to."""
    found = queries.attachment(request.user, attachment_id)
    if found is None:
        raise Http404
    response = HttpResponse(services.read_file(found), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- staff ---------------------------------------------------------------------------------------
@router.post("/communities/{community_id}/notices/preview", response=NoticeReachOut)
def notice_preview(request, community_id: Id, payload: NoticeTargetIn):
    """How many households (and accounts) a target reaches today; counts only."""
    community_for(request, community_id, Action.NOTICE_PUBLISH)
    target = Target(community_id, payload.building_id, payload.unit_id, payload.audience, payload.care_kind)
    return queries.preview(services.check_target(target))


@router.get("/communities/{community_id}/notices", response=list[NoticeOut])
def notice_list(request, community_id: Id):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return list(queries.notices(request.user, community_id)[:200])


@router.post("/communities/{community_id}/notices", response={201: NoticeOut})
def notice_create(request, community_id: Id, payload: NoticeIn):
    """A draft; publish it with `POST /engage/notices/{id}/publish`."""
    community_for(request, community_id, Action.NOTICE_PUBLISH)
    return Status(
        201, services.do_create_notice(actor=request.user, community_id=community_id, **payload.dict())
    )


@router.get("/notices/{notice_id}", response=NoticeStatsOut)
def notice_detail(request, notice_id: Id):
    """The notice with its read rate per building (the buildings the user sees)."""
    found = _staff_notice(request, notice_id)
    rates = queries.building_rates(request.user, found)
    return {"notice": found, "total": queries.totals(rates), "buildings": rates}


@router.post("/notices/{notice_id}/publish", response=NoticeOut)
def notice_publish(request, notice_id: Id, payload: NoticePublishIn):
    """Now, or at `publish_at` (the scheduler publishes it); 409 `notice_not_draft`."""
    found = _staff_notice(request, notice_id)
    return services.do_publish_notice(actor=request.user, notice_id=found.pk, publish_at=payload.publish_at)


@router.post("/notices/{notice_id}/pin", response=NoticeOut)
def notice_pin(request, notice_id: Id, payload: NoticePinIn):
    found = _staff_notice(request, notice_id)
    return services.do_pin_notice(actor=request.user, notice_id=found.pk, pinned=payload.pinned)


@router.post("/notices/{notice_id}/attachments", response={201: NoticeAttachmentOut})
def notice_attach(request, notice_id: Id, file: File[UploadedFile]):
    """A PDF or a photo (re-encoded); 400 `unsupported_file`, `file_too_large`, `too_many_files`."""
    found = _staff_notice(request, notice_id)
    check_size(file.size)
    done = services.do_attach_file(
        actor=request.user, notice_id=found.pk, name=file.name or "", data=file.read()
    )
    return Status(201, attachment_out(done))


def household_out(h, residents: list) -> dict:
    return {
        "house_id": h.house_id,
        "house": h.house.label,
        "building_id": h.building_id,
        "residents": [f"{mask_name(o.person.name)} {mask_phone(o.person.phone)}".strip() for o in residents],
        "read_at": h.read_at,
        "confirmed_at": h.confirmed_at,
        "told_at": h.told_at,
        "told_how": h.told_how,
        "told_by": str(h.told_by) if h.told_by_id else "",
    }


@router.get("/notices/{notice_id}/unread", response=NoticeHouseholdPageOut)
def notice_unread(request, notice_id: Id, cursor: Cursor | None = None, building_id: Id | None = None):
    """The households not reached yet (not confirmed or read, not told in person), with their
    residents masked, for the front desk to call or visit."""
    found = _staff_notice(request, notice_id)
    rows = queries.unread_households(request.user, found, building_id).order_by("id")
    if cursor is not None:
        rows = rows.filter(id__gt=cursor)
    page = list(rows[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    people = queries.contacts([h.house_id for h in page])
    return {
        "items": [household_out(h, people.get(h.house_id, [])) for h in page],
        "next_cursor": page[-1].pk if more else None,
    }


@router.post("/notices/{notice_id}/households/{house_id}/told", response=NoticeHouseholdPageOut)
def notice_told(request, notice_id: Id, house_id: Id, payload: NoticeToldIn):
    """The household was told in person (phone or visit); 409 `already_told`, `already_confirmed`."""
    found = _staff_notice(request, notice_id)
    done = services.do_record_told(
        actor=request.user, notice_id=found.pk, house_id=house_id, how=payload.how, note=payload.note
    )
    row = (
        queries.households(request.user, found)
        .select_related("house__building", "house__unit", "told_by")
        .get(pk=done.pk)
    )
    return {"items": [household_out(row, [])], "next_cursor": None}

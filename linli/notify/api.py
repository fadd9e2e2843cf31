from ninja import Query, Router

from linli.core.http import get_or_404
from linli.notify import queries, services
from linli.notify.schemas import (
    InboxPage,
    InboxQuery,
    MarkedOut,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
)
from linli.notify.services.channels import CHANNELS
from linli.notify.topics import Choice

router = Router(tags=["notify"])


@router.get("/inbox", response=InboxPage)
def list_inbox(request, filters: Query[InboxQuery]):
    rows, next_cursor, unread = queries.inbox_page(
        request.user, unread_only=filters.unread, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": rows, "next_cursor": next_cursor, "unread_count": unread}


@router.post("/inbox/read-all", response=MarkedOut)
def read_all(request):
    return {"marked": services.do_mark_all_read(actor=request.user)}


@router.post("/inbox/{notification_id}/read", response=NotificationOut)
def read_one(request, notification_id: int):
    notification = get_or_404(queries.inbox(request.user), pk=notification_id)
    return services.do_mark_read(actor=request.user, notification=notification)


def _preferences(user) -> dict:
    always_on = [name for name, channel in CHANNELS.items() if not channel.mutable]
    return {"items": queries.preferences(user), "always_on": always_on}


@router.get("/me/notification-preferences", response=PreferencesOut)
def get_preferences(request):
    """My setting for each topic on each channel I may turn off; the inbox is always on."""
    return _preferences(request.user)


@router.put("/me/notification-preferences", response=PreferencesOut)
def put_preferences(request, payload: PreferencesIn):
    """Sets the listed topics and channels (the rest keep theirs); any unknown one refuses all (422)."""
    items = [Choice(topic=i.topic, channel=i.channel, enabled=i.enabled) for i in payload.items]
    services.do_set_preferences(actor=request.user, items=items)
    return _preferences(request.user)

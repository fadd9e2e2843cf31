from ninja import Query, Router

from linli.core.http import get_or_404
from linli.notify import queries, services
from linli.notify.schemas import InboxPage, InboxQuery, MarkedOut, NotificationOut

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

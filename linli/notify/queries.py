from linli.notify.models import Notification

INBOX_VIEW = "inbox.view"


def inbox(user, *, unread_only: bool = False):
    rows = Notification.objects.restrict(user, INBOX_VIEW)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user) -> int:
    return inbox(user, unread_only=True).count()

"""Notifications and sign-in on SQLite: fan-out, inbox pages, the SSE poll, the throttle.

    .venv/bin/python bench/notify.py               # 1,000,000 outbox rows, 1,000 recipients
    .venv/bin/python bench/notify.py --scale 0.01  # a quick check

Figures:
- notify() to 1,000 recipients in one transaction (inbox rows + outbox rows), in-app only;
- GET /api/v1/inbox for a user with 10,000 messages (first page and a deep page), in-process;
- the event stream's reads against a large outbox where almost every row is someone else's: a
  staff member's catch-up when a stream opens, and the shared poller's batch (once per process
  per poll, whatever the number of open streams);
- the throttle: taking three limits at once, and a whole SMS code request.
"""

import argparse
import itertools
import json
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "notify"


class SilentSms:
    """The SMS gateway for the benchmark: measures our side, not a network."""

    def send(self, phone, template, params):
        pass


def build_outbox(rows: int, user_ids: list[int], community_ids: list[int]) -> None:
    """Set-up, not a product path: raw executemany of outbox rows spread over many users."""
    from django.db import connection, transaction
    from django.utils import timezone

    rng = random.Random(7)
    now = timezone.now().isoformat()
    payload = json.dumps({"kind": "notice", "title": "停水通知", "link": "/notices/1/"}, ensure_ascii=False)
    batch = 20_000
    with connection.cursor() as cursor:
        for start in range(0, rows, batch):
            data = []
            for _ in range(min(batch, rows - start)):
                if rng.random() < 0.1:
                    data.append((now, "alarm.raised", rng.choice(community_ids), None, payload))
                else:
                    data.append((now, "notify.new", None, rng.choice(user_ids), payload))
            with transaction.atomic():
                cursor.executemany(
                    "INSERT INTO core_outboxevent (created_at, topic, community_id, user_id, payload)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    data,
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    setup_django(BENCH)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from linli.accounts import limits, throttle
    from linli.accounts.services import do_request_sms_code
    from linli.core.models import Community, Membership, OutboxEvent
    from linli.core.queries import staff_community_ids
    from linli.notify import queries
    from linli.notify.audience import Audience
    from linli.notify.models import Notification
    from linli.notify.services import notify

    User = get_user_model()
    recipients = 1_000
    outbox_rows = max(10_000, int(1_000_000 * args.scale))

    communities = [Community.objects.create(name=f"小区{i}", code=f"c{i}") for i in range(50)]
    users = User.objects.bulk_create(
        [User(username=f"u{i}", password="!") for i in range(max(recipients, int(100_000 * args.scale)))],
        batch_size=5_000,
    )
    staff = users[0]
    Membership.objects.create(user=staff, community=communities[-1], role="property_manager")
    log(f"{len(users)} users, building {outbox_rows} outbox rows")
    with timed() as t:
        build_outbox(outbox_rows, [u.id for u in users], [c.id for c in communities])
    log(f"outbox built in {t():.1f} s")

    # notify() fan-out to 1,000 recipients.
    audience = [u.id for u in users[:recipients]]
    times = time_calls(
        lambda i: notify(users=audience, kind="notice", title=f"通知{i}", body="明天停水"),
        samples=10,
        warmup=1,
    )
    emit(BENCH, "notify_1000_recipients_p50", percentiles(times)["p50"], "ms", n=recipients)

    # Inbox pages for a user with 10,000 messages.
    reader = users[1]
    Notification.objects.bulk_create(
        [Notification(recipient=reader, kind="notice", title=f"消息{i}") for i in range(10_000)],
        batch_size=2_000,
    )
    client = Client()
    client.force_login(reader)
    deep_cursor = (
        Notification.objects.filter(recipient=reader).order_by("id").values_list("id", flat=True)[100]
    )
    for label, params in (("first", {"limit": 20}), ("deep", {"limit": 20, "cursor": deep_cursor})):
        times = time_calls(lambda i, p=params: client.get("/api/v1/inbox", p), samples=200)
        emit(BENCH, f"inbox_page_{label}_p50", percentiles(times)["p50"], "ms", n=10_000)
        emit(BENCH, f"inbox_page_{label}_p95", percentiles(times)["p95"], "ms", n=10_000)

    # The event stream's reads near the head of a large outbox: a staff member's catch-up over the
    # last 1,000 rows, and the shared poller's read of the next batch (one per process per poll).
    total = OutboxEvent.objects.count()
    head = OutboxEvent.objects.order_by("-id").values_list("id", flat=True)[1_000]
    audience = Audience(staff.id, staff_community_ids(staff))
    top = head + 1_000
    times = time_calls(lambda i: queries.stream_events(audience, head, top, 200), samples=500)
    emit(BENCH, "sse_catch_up_p50", percentiles(times)["p50"], "ms", n=total)
    emit(BENCH, "sse_catch_up_p95", percentiles(times)["p95"], "ms", n=total)
    times = time_calls(lambda i: queries.outbox_after(head, 200), samples=500)
    emit(BENCH, "sse_shared_poll_p50", percentiles(times)["p50"], "ms", n=total)
    emit(BENCH, "sse_shared_poll_p95", percentiles(times)["p95"], "ms", n=total)

    # The throttle and a whole SMS code request (with a silent gateway).
    checks = [
        (limits.SMS_SEND_IP_HOUR, "ip"),
        (limits.SMS_SEND_PHONE_MINUTE, "p"),
        (limits.SMS_SEND_PHONE_HOUR, "p"),
    ]
    wide = [(throttle.Limit(lim.name, 10**9, lim.window), subject) for lim, subject in checks]
    times = time_calls(lambda i: throttle.take_all(wide), samples=500)
    emit(BENCH, "throttle_take_3_limits_p50", percentiles(times)["p50"], "ms", n=3)

    settings.LINLI_SMS_PROVIDER = f"{__name__}.SilentSms"
    fresh = itertools.count()  # a new phone and address each time, so no limit is hit
    times = time_calls(
        lambda _i: do_request_sms_code(phone=f"139{(n := next(fresh)):08d}", ip=f"10.0.{n // 256}.{n % 256}"),
        samples=300,
    )
    emit(BENCH, "sms_code_request_p50", percentiles(times)["p50"], "ms", n=300)
    log(f"ended windows pruned: {throttle.prune(timezone.now() + timedelta(days=1))}")


if __name__ == "__main__":
    main()

"""Per-user preferences: a person may hold back the SMS of a topic, never the inbox, never a
safety message; the most specific topic decides; the API refuses unknown topics and channels."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.errors import ServiceError
from linli.core.models import AuditEntry
from linli.notify.models import Notification, Preference
from linli.notify.queries import preferences
from linli.notify.services import do_set_preferences, notify
from linli.notify.topics import Choice

PATH = "/me/notification-preferences"
RESIDENT_TOPICS = ("billing", "access.visitor", "engage.vote", "iot.building", "workorder")


@pytest.fixture
def texted(sms_outbox, inline_tasks, django_capture_on_commit_callbacks):
    """Sends `kind` in-app and by SMS to the owner and the tenant; returns the phones texted."""

    def send(world, kind: str) -> list[str]:
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                users=[world.owner, world.tenant],
                kind=kind,
                title="您的报事已处理完成",
                body="厨房水管漏水",
                community_id=world.a.id,
                channels=("inapp", "sms"),
            )
        return sorted(m.phone for m in sms_outbox)

    return send


def _set(user, *choices: tuple[str, bool]) -> None:
    do_set_preferences(actor=user, items=[Choice(topic, "sms", enabled) for topic, enabled in choices])


def test_it_holds_back_the_sms_of_a_muted_topic_but_not_the_inbox(world, texted):
    _set(world.owner, ("workorder", False))
    assert texted(world, "workorder.complete") == ["13800000002"]  # the tenant's only
    inboxes = Notification.objects.filter(kind="workorder.complete").values_list("recipient_id", flat=True)
    assert sorted(inboxes) == sorted([world.owner.id, world.tenant.id])


def test_it_mutes_only_the_kinds_under_the_topic(world, texted):
    _set(world.owner, ("workorder", False))
    assert texted(world, "workorders.complete") == ["13800000001", "13800000002"]  # not a workorder.*


def test_the_most_specific_topic_wins(world, texted, sms_outbox):
    _set(world.owner, ("workorder", False), ("workorder.assigned", True))
    assert texted(world, "workorder.assigned") == ["13800000001", "13800000002"]
    sms_outbox.clear()
    _set(world.owner, ("workorder", True), ("workorder.assigned", False))
    assert texted(world, "workorder.assigned") == ["13800000002"]
    sms_outbox.clear()
    assert texted(world, "workorder.complete") == ["13800000001", "13800000002"]


@pytest.mark.parametrize("kind", ["workorder.escalated", "access.care_alert"])
def test_it_sends_an_unmutable_kind_whatever_was_chosen(world, texted, kind):
    _set(world.owner, ("workorder", False))
    Preference.objects.create(user=world.owner, topic="access", channel="sms", enabled=False)
    assert texted(world, kind) == ["13800000001", "13800000002"]


def _preference_reads(world, kind: str, channels: tuple[str, ...]) -> int:
    with CaptureQueriesContext(connection) as run:
        notify(users=[world.owner, world.tenant], kind=kind, title="t", body="b", channels=channels)
    return sum(Preference._meta.db_table in q["sql"] for q in run.captured_queries)


def test_it_reads_the_preferences_once_per_mutable_channel(world):
    assert _preference_reads(world, "workorder.complete", ("inapp", "sms")) == 1
    assert _preference_reads(world, "workorder.complete", ("inapp",)) == 0
    assert _preference_reads(world, "workorder.escalated", ("inapp", "sms")) == 0


def test_it_lists_every_topic_on_sms_with_the_inbox_always_on(world, api):
    body = api(world.owner).get(PATH).json()
    # The inbox, and the staff chat that a community, not a person, chooses (linli.channels).
    assert body["always_on"] == ["inapp", "staffchat"]
    assert {(i["topic"], i["channel"], i["enabled"]) for i in body["items"]} == {
        (topic, "sms", True) for topic in (*RESIDENT_TOPICS, "workorder.assigned")
    }
    assert {i["label"] for i in body["items"]} == {
        "账单与缴费",
        "访客到达",
        "业主表决",
        "楼内安全提醒",
        "报事报修进度",
        "工单派单",
    }


def test_it_saves_preferences_and_shows_what_a_narrower_topic_inherits(world, api):
    r = api(world.owner).put(PATH, {"items": [{"topic": "workorder", "channel": "sms", "enabled": False}]})
    assert r.status_code == 200, r.content
    enabled = {i["topic"]: i["enabled"] for i in r.json()["items"]}
    assert enabled == {
        **dict.fromkeys(RESIDENT_TOPICS, True),
        "workorder": False,
        "workorder.assigned": False,
    }
    assert api(world.tenant).get(PATH).json()["items"][1]["enabled"] is True  # only mine
    entry = AuditEntry.objects.get(action="set_preferences")
    assert (entry.actor_id, entry.after) == (world.owner.id, {"workorder/sms": False})


@pytest.mark.parametrize(
    ("item", "field", "says"),
    [
        (
            {"topic": "weather", "channel": "sms", "enabled": False},
            "items.1.topic",
            "没有这类消息提醒：weather",
        ),
        ({"topic": "billing", "channel": "inapp", "enabled": False}, "items.1.channel", "站内消息始终开启"),
        ({"topic": "access.care_alert", "channel": "sms", "enabled": False}, "items.1.topic", "没有这类"),
        ({"topic": "workorder", "channel": "sms", "enabled": True}, "items.1", "只能设置一次"),
    ],
)
def test_it_refuses_a_bad_item_and_writes_nothing(world, api, item, field, says):
    good = {"topic": "workorder", "channel": "sms", "enabled": False}
    r = api(world.owner).put(PATH, {"items": [good, item]})
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid_preferences"
    assert says in r.json()["fields"][field]
    assert not Preference.objects.exists()


def test_it_refuses_a_body_that_is_not_a_list_of_items(world, api):
    r = api(world.owner).put(PATH, {"items": [{"topic": "billing", "channel": "sms", "enabled": "no"}]})
    assert r.status_code == 422
    assert not Preference.objects.exists()


def test_the_service_refuses_without_writing(world):
    with pytest.raises(ServiceError):
        do_set_preferences(
            actor=world.owner, items=[Choice("billing", "sms", False), Choice("x", "sms", False)]
        )
    assert not Preference.objects.exists()


def _enabled(user) -> dict[str, bool]:
    return {row["topic"]: row["enabled"] for row in preferences(user)}


def _page_switches(page: str) -> dict[str, bool]:
    boxes = re.findall(r'<input type="checkbox" name="on" value="([^"]+)"( checked)?>', page)
    return {value: bool(checked) for value, checked in boxes}


def test_the_page_turns_sms_off_per_topic_and_says_the_inbox_stays_on(world, browser):
    client = browser(world.owner)
    page = client.get("/me/notifications/").content.decode()
    assert "站内消息（“消息”页）始终开启" in page and "账单与缴费" in page
    assert _page_switches(page) == {f"{t}/sms": True for t in RESIDENT_TOPICS}  # no staff topic
    r = client.post("/me/notifications/", {"on": ["workorder/sms"]})
    assert r.status_code == 302
    assert _page_switches(client.get(r["Location"]).content.decode()) == {
        **{f"{t}/sms": False for t in RESIDENT_TOPICS},
        "workorder/sms": True,
    }
    assert _enabled(world.owner) == {
        **dict.fromkeys(RESIDENT_TOPICS, False),
        "workorder": True,
        "workorder.assigned": True,
    }


def test_the_page_offers_staff_their_own_topics(world, browser):
    client = browser(world.staff)
    client.post("/me/notifications/", {"on": ["billing/sms", "workorder.assigned/sms"]})
    page = client.get("/me/notifications/").content.decode()
    assert "工单派单" in page
    assert _page_switches(page) == {
        **{f"{t}/sms": False for t in RESIDENT_TOPICS},
        "billing/sms": True,
        "workorder.assigned/sms": True,
    }

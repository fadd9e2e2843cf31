"""What a person may mute: topics (prefixes of message kinds) and the kinds no one may mute.

A kind is a dotted name (`workorder.complete`); a topic is the kind itself or a prefix of it
ending at a dot (`workorder`). Of a person's choices for a channel, the most specific topic that
covers a kind decides; with none, the channel is on. The inbox is never muted: it is the record
of what the platform told a person, so a preference only ever holds back another channel (SMS).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Kinds sent on every channel they ask for, whatever the recipient chose, because a missed message
# can cost someone's safety or leave a duty undone: a care alert (an elderly resident living alone
# has not been seen at a door for hours), an escalation (a repair is overdue and the supervisor
# must step in) and a critical alarm in the building a person lives in (smoke, fire). Add an alarm kind here when one is sent through `notify`.
UNMUTABLE = ("access.care_alert", "workorder.escalated", "iot.building.critical")


@dataclass(frozen=True)
class Choice:
    """A person's choice for a topic on a channel, as the API and the page submit it."""

    topic: str
    channel: str
    enabled: bool


@dataclass(frozen=True)
class Topic:
    key: str
    label: str | Promise
    staff: bool = False  # shown to people who work for a community only


# The topics a person chooses from, derived from the kinds sent today (grep `kind=`). A staff
# topic may sit inside a resident one: most specific wins, so `workorder.assigned` overrides
# `workorder` for the orders assigned to me.
TOPICS = (
    Topic("billing", _("账单与缴费")),  # billing.issued, .paid, .reminder, .standard
    Topic("access.visitor", _("访客到达")),  # a pass I sent was used at a gate
    Topic("engage.vote", _("业主表决")),  # a vote I may cast opened
    Topic("iot.building", _("楼内安全提醒")),  # an alarm in my building (critical ones: unmutable)
    Topic("workorder", _("报事报修进度")),  # workorder.<action> to the reporter
    Topic("workorder.assigned", _("工单派单"), staff=True),  # an order assigned to me (SMS if urgent)
)


def prefixes(kind: str) -> list[str]:
    """The topics that cover a kind, broadest first: `a.b.c` → [`a`, `a.b`, `a.b.c`]."""
    parts = kind.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def is_unmutable(kind: str) -> bool:
    return any(prefix in UNMUTABLE for prefix in prefixes(kind))


def is_enabled(choices: Mapping[str, bool], kind: str) -> bool:
    """Whether a kind is on, given a person's choices (topic → enabled) for one channel."""
    for prefix in reversed(prefixes(kind)):
        if prefix in choices:
            return choices[prefix]
    return True

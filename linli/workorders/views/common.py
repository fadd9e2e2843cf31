"""What the resident's and the staff's order pages share: the timeline as people read it, the
buttons of the moves the viewer may make, and carrying out a move posted from a page."""

from dataclasses import dataclass

from django.contrib import messages
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError
from linli.workorders import queries
from linli.workorders.choices import Status
from linli.workorders.forms import ActionForm
from linli.workorders.models import Request
from linli.workorders.services import flow

# Timeline lines that are not moves of the state machine (an unknown one shows its code).
EVENT_LABELS = {"report": _("提交报事"), "rate": _("评价"), "escalate": _("超时升级")}
STATUS_LABELS = dict(Status.choices)
# Badge tones of the status chips.
TONES = {
    Status.SUBMITTED: "info",
    Status.ACCEPTED: "info",
    Status.NEEDS_PAYMENT: "warn",
    Status.PAUSED: "warn",
    Status.AWAITING_PARTS: "warn",
    Status.DONE: "brand",
    Status.CHECKED: "brand",
    Status.CLOSED: "muted",
    Status.REJECTED: "danger",
    Status.CANCELLED: "muted",
}


def tone(status: str) -> str:
    return TONES.get(status, "brand")


@dataclass(frozen=True)
class Line:
    at: object
    what: str | Promise
    who: str | Promise
    status: str | Promise
    note: str


def _what(action: str) -> str | Promise:
    move = flow.TRANSITIONS.get(action)
    return move.label if move else EVENT_LABELS.get(action, action)


def timeline(order: Request, *, for_reporter: bool) -> list[Line]:
    """The request's events; the reporter reads roles (您, 物业, 系统), staff read names."""

    def who(event) -> str | Promise:
        return queries.actor_label(event, order, for_reporter=for_reporter)

    return [
        Line(
            at=e.at,
            what=_what(e.action),
            who=who(e),
            status=STATUS_LABELS.get(e.to_status, ""),
            note=e.note,
        )
        for e in queries.timeline(order)
    ]


def answers(order: Request) -> list[tuple[str, str]]:
    """The answers to the category's own questions, under the questions' labels."""
    labels = {q["key"]: q.get("label") or q["key"] for q in order.category.form_fields}
    return [(labels.get(key, key), value) for key, value in order.answers.items()]


@dataclass(frozen=True)
class Button:
    action: str
    label: str | Promise
    reason: bool  # the form asks for a reason
    note: bool  # the form offers an optional note (what was done)
    pick: str = ""  # "handler" or "team": whom the order goes to
    variant: str = ""


DANGER = {"reject", "cancel", "return", "rework"}
NOTED = {"complete"}  # moves with an optional note for the timeline (what was done)


def _button(name: str) -> Button:
    t = flow.TRANSITIONS[name]
    pick = {"assign": "handler", "transfer": "team"}.get(name, "")
    variant = "danger" if name in DANGER else ("" if t.reason else "primary")
    return Button(name, t.label, t.reason, name in NOTED, pick, variant)


def buttons(order: Request, user, only: tuple[str, ...] = ()) -> list[Button]:
    """A button for each move `user` may make now (limited to `only` when given)."""
    return [_button(name) for name in flow.allowed_actions(order, user) if not only or name in only]


def list_buttons(order: Request, names: tuple[str, ...]) -> list[Button]:
    """Buttons for a row of a list: the moves the order's status allows, without asking per row
    who the viewer is to it (the service checks that when one is posted)."""
    return [_button(name) for name in names if order.status in flow.TRANSITIONS[name].sources]


def act(request, order: Request) -> bool:
    """Carries out the move posted from a page; a refusal becomes a message. True if it moved."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作无效"))
        return False
    data = form.cleaned_data
    user = request.user
    handler = (
        data["handler"] and queries.handlers(user, order.community_id).filter(pk=data["handler"]).first()
    )
    team = data["team"] and queries.teams(user, order.community_id).filter(pk=data["team"]).first()
    try:
        flow.do_transition(
            actor=user,
            request=order,
            action=data["action"],
            reason=data["reason"],
            handler=handler,
            team=team,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, _("已%(action)s") % {"action": flow.TRANSITIONS[data["action"]].label})
    return True

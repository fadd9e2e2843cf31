"""The state machine, table-driven: every action from every status, by the person the table
names. Allowed moves land on the table's target; every other one is refused with
`invalid_transition` and leaves the request and its timeline as they were."""

import pytest

from linli.core.errors import Conflict
from linli.testing import workorders as wo
from linli.workorders.choices import Status
from linli.workorders.models import ChargeLine, Request
from linli.workorders.services import flow
from linli.workorders.services.flow import ASSIGNEE, CHECKER, DISPATCHER, HANDLER, REPORTER, TRANSITIONS

ACTOR_OF = {
    DISPATCHER: "staff",
    CHECKER: "staff",
    ASSIGNEE: "technician",
    REPORTER: "owner",
    HANDLER: "technician",
}


def _cases():
    for action, t in TRANSITIONS.items():
        for status in Status.values:
            yield action, status, status in t.sources


@pytest.fixture
def setup(world):
    c = wo.crew(world, mode="manual")
    return c, wo.report(world, c)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status", "allowed"), list(_cases()))
def test_each_action_from_each_status(world, setup, action, status, allowed):
    c, request = setup
    if action == "grab":
        from linli.workorders.services.setup import do_update_settings

        do_update_settings(actor=world.admin, community_id=world.a.id, dispatch_mode="grab")
    assignee = world.technician.pk  # so that the status alone decides, whoever's move it is
    Request.objects.filter(pk=request.pk).update(status=status, assignee_id=assignee, team_id=c.team.pk)
    if action == "ask_payment":
        ChargeLine.objects.create(request=request, price_item=c.price, quantity=1, amount_fen=8000)
    request.refresh_from_db()
    events = request.events.count()
    actor = getattr(world, ACTOR_OF[TRANSITIONS[action].who[0]])
    kwargs = {"reason": "原因", "handler": c.plumber, "team": c.grid_team}
    if allowed:
        moved = flow.do_transition(actor=actor, request=request, action=action, **kwargs)
        assert moved.status == (TRANSITIONS[action].target or status)
        assert moved.events.count() == events + 1
    else:
        with pytest.raises(Conflict) as refused:
            flow.do_transition(actor=actor, request=request, action=action, **kwargs)
        assert refused.value.code == "invalid_transition"
        after = Request.objects.get(pk=request.pk)
        assert (after.status, after.assignee_id, after.events.count()) == (status, assignee, events)


@pytest.mark.django_db
@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.reason])
def test_a_branch_needs_a_reason(world, setup, action):
    c, request = setup
    t = TRANSITIONS[action]
    status = t.sources[0]
    Request.objects.filter(pk=request.pk).update(
        status=status, assignee_id=world.technician.pk, team_id=c.team.pk
    )
    request.refresh_from_db()
    actor = getattr(world, ACTOR_OF[t.who[0]])
    from linli.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        flow.do_transition(actor=actor, request=request, action=action, reason="  ", team=c.grid_team)
    assert refused.value.code == "reason_required"
    assert Request.objects.get(pk=request.pk).status == status


@pytest.mark.django_db
def test_the_checker_is_not_the_one_who_did_the_work(world, setup):
    """A manager who fixed it themselves cannot sign off their own work."""
    _c, request = setup
    Request.objects.filter(pk=request.pk).update(status=Status.DONE, assignee_id=world.staff.pk)
    request.refresh_from_db()
    from linli.core.errors import Forbidden

    with pytest.raises(Forbidden):
        flow.do_transition(actor=world.staff, request=request, action="check")
    assert flow.do_transition(actor=world.admin, request=request, action="check").status == Status.CHECKED


@pytest.mark.django_db
def test_two_dispatchers_reassigning_at_once_move_it_once(world, setup):
    """Both read it assigned to the plumber; the second finds it reassigned and is refused."""
    from linli.testing import factories as f
    from linli.workorders.models import Handler
    from linli.workorders.services import setup as wo_setup

    c, request = setup
    first = flow.do_transition(actor=world.staff, request=request, action="assign", handler=c.plumber)
    stale = Request.objects.get(pk=first.pk)
    other = wo_setup.do_add_handler(actor=world.admin, team=c.team, user=f.staff(world.a, "technician", "t2"))
    third = wo_setup.do_add_handler(actor=world.admin, team=c.team, user=f.staff(world.a, "technician", "t3"))
    flow.do_transition(actor=world.staff, request=first, action="assign", handler=other)
    with pytest.raises(Conflict):
        flow.do_transition(actor=world.admin, request=stale, action="assign", handler=third)
    loads = dict(Handler.objects.filter(team=c.team).values_list("user_id", "open_count"))
    assert loads == {world.technician.pk: 0, other.user_id: 1, third.user_id: 0}
    assert Request.objects.get(pk=request.pk).hops == 2

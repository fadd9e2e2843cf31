"""/api/v1/services (fitness, SVC-2): how much the community's smart fitness equipment is used —
the machines' own counts, for staff and residents alike — and a resident's own record, kept only
while they consent (a card held to a machine's reader). Error codes: docs/services.md."""

from ninja import Router, Status

from linli.core.http import community_for
from linli.core.roles import Action
from linli.services import queries, queries_fitness
from linli.services.schemas_fitness import FitnessCommunityIn, MachineOut, MyFitnessOut, WithdrawnOut
from linli.services.services import fitness

router = Router(tags=["services"])


def _days(rows) -> list[dict]:
    return [{"day": day.isoformat(), "uses": n} for day, n in rows]


def _machines(community_id: int) -> list[dict]:
    return [
        {
            "id": m["device"].pk,
            "name": m["device"].name,
            "place": m["device"].place,
            "online": m["online"],
            "uses_30_days": m["total"],
            "days": _days(m["days"]),
        }
        for m in queries_fitness.machines(community_id)
    ]


def _mine(person) -> dict:
    consented = queries_fitness.consented(person.pk)
    rows = queries_fitness.my_uses(person.pk) if consented else []
    return {
        "community_id": person.community_id,
        "consented": consented,
        "uses_30_days": sum(n for _day, n in rows),
        "days": _days(rows),
    }


@router.get("/communities/{community_id}/fitness", response=list[MachineOut])
def community_fitness(request, community_id: int):
    """Each fitness machine's uses per day over the last 30 days (staff with services.view, or
    the community's residents): counts only, nobody named."""
    if not queries.is_resident_of(request.user, community_id):
        community_for(request, community_id, Action.SERVICES_VIEW)
    return _machines(community_id)


@router.get("/my/fitness", response=list[MyFitnessOut])
def my_fitness(request):
    """Per community the user lives in: whether their uses are recorded, and those of 30 days."""
    return [_mine(p) for p in queries_fitness.my_people(request.user)]


@router.post("/my/fitness/consent", response={201: MyFitnessOut})
def consent(request, payload: FitnessCommunityIn):
    """记录我的健身数据. 409 fitness_already_consented."""
    consent = fitness.do_consent_fitness(actor=request.user, community_id=payload.community_id)
    return Status(201, _mine(consent.person))


@router.post("/my/fitness/withdraw", response=WithdrawnOut)
def withdraw(request, payload: FitnessCommunityIn):
    """Stops recording and erases what was recorded. 409 fitness_not_consented."""
    return {"erased": fitness.do_withdraw_fitness(actor=request.user, community_id=payload.community_id)}

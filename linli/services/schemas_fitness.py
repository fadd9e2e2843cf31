"""Request and response shapes of the fitness API (api_fitness.py)."""

from ninja import Schema

from linli.core.schema_types import Id, InputSchema


class FitnessDayOut(Schema):
    day: str
    uses: int


class MachineOut(Schema):
    id: int
    name: str
    place: str
    online: bool
    uses_30_days: int
    days: list[FitnessDayOut]


class MyFitnessOut(Schema):
    community_id: int
    consented: bool
    uses_30_days: int
    days: list[FitnessDayOut]  # empty unless consented


class FitnessCommunityIn(InputSchema):
    community_id: Id


class WithdrawnOut(Schema):
    erased: int

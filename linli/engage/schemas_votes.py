"""Request and response shapes of the owners' vote API (docs/voting.md)."""

from typing import Any

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import Bool, Id, InputSchema, Int, Text
from linli.engage.choices_votes import Art278Item, VoteKind


class VoteIn(InputSchema):
    title: Text(120, min_length=1)
    body: Text(4000, multiline=True) = ""
    art278_item: Int(1, 9) = Art278Item.OTHER
    kind: VoteKind = VoteKind.MATTER
    seats: Int(0, 50) = 0
    candidates: list[Text(60)] = Field(default_factory=list, max_length=50)
    secret: Bool = False
    allow_replace: Bool = True


class VoteOut(Schema):
    id: int
    uid: str
    title: str
    body: str
    kind: str
    art278_item: int
    art278_label: str
    threshold: str
    seats: int
    candidates: list[str]
    secret: bool
    allow_replace: bool
    status: str
    total_area: str
    total_heads: int
    leaf_count: int
    public_key: str
    result: dict[str, Any] | None


# A motion's choice, or an election's candidates (their numbers, comma-separated on a form).
MotionChoice = Text(7, pattern=r"^(for|against|abstain)$")
FormChoice = Text(200, pattern=r"^(for|against|abstain|[0-9]{1,2}(,[0-9]{1,2}){0,49})$")
# A tree size or leaf index: far beyond any vote's ballots, within every engine's integer.
LeafCount = Int(0, 2**31 - 1)


class VoteBallotIn(InputSchema):
    choice: MotionChoice | list[Int(0, 49)] = Field(union_mode="left_to_right")
    elector_id: Id | None = None


class VotePaperBallotIn(InputSchema):
    elector_id: Id
    choice: MotionChoice | list[Int(0, 49)] = Field(union_mode="left_to_right")
    note: Text(200) = ""


class VoteDecideIn(InputSchema):
    approve: Bool
    note: Text(200) = ""


class VoteDesignateIn(InputSchema):
    person_id: Id


class VoteBallotOut(Schema):
    id: int
    elector_id: int
    elector: str
    channel: str
    choice: Any
    status: str
    number: str
    leaf_index: int | None
    entered_by_me: bool = False


class VoteOwnerOut(Schema):
    person_id: int
    relation: str


class VoteElectorOut(Schema):
    id: int
    label: str
    area: str
    developer: bool
    voters: int
    owners: list[VoteOwnerOut]
    designated_person_id: int | None
    voted: bool


class VoteTreeHeadOut(Schema):
    size: int
    root: str
    timestamp: int
    signature: str
    final: bool


class VoteReceiptOut(Schema):
    vote: str
    ballot: str
    leaf_index: int
    leaf: str  # base64 of the leaf's exact bytes
    proof: list[str]
    tree_head: VoteTreeHeadOut
    public_key: str


class VoteProofOut(Schema):
    proof: list[str]
    old: VoteTreeHeadOut | None = None
    new: VoteTreeHeadOut


class VoteProgressOut(Schema):
    heads: int
    area: str
    total_heads: int
    total_area: str
    pending: int


class VoteRollPreviewOut(Schema):
    parts: int
    heads: int
    area: str
    developer_parts: int


class VoteMyElectorOut(Schema):
    id: int
    label: str
    area: str
    ballot: VoteBallotOut | None

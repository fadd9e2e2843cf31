"""/api/v1/engage/votes…: owners' assembly votes (ENG-3) — set-up and the roll (vote.setup),
ballots online, by proxy and on paper (vote.counter enters, a second person confirms), the log's
signed tree heads, receipts, inclusion and consistency proofs, and the export a voter checks
with tools/verify_vote.py. Log reads are open to the community's residents and staff."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from linli.core.errors import NotFound, ServiceError
from linli.core.http import community_for
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.schema_types import Id
from linli.engage import queries_votes as q
from linli.engage.choices_votes import MAJOR_ITEMS, Art278Item
from linli.engage.models import Vote, VoteBallot, VoteTreeHead
from linli.engage.schemas_votes import (
    FormChoice,
    LeafCount,
    VoteBallotIn,
    VoteBallotOut,
    VoteDecideIn,
    VoteDesignateIn,
    VoteElectorOut,
    VoteIn,
    VoteMyElectorOut,
    VoteOut,
    VotePaperBallotIn,
    VoteProgressOut,
    VoteProofOut,
    VoteReceiptOut,
    VoteRollPreviewOut,
    VoteTreeHeadOut,
)
from linli.engage.services import votes, votes_ballots, votes_log

router = Router(tags=["engage"])


def vote_out(v: Vote) -> dict:
    return {
        "id": v.pk,
        "uid": v.uid,
        "title": v.title,
        "body": v.body,
        "kind": v.kind,
        "art278_item": v.art278_item,
        "art278_label": str(Art278Item(v.art278_item).label),
        "threshold": "major" if v.art278_item in MAJOR_ITEMS else "ordinary",
        "seats": v.seats,
        "candidates": v.candidates,
        "secret": v.secret,
        "allow_replace": v.allow_replace,
        "status": v.status,
        "total_area": votes_log.centi_str(v.total_area_centi),
        "total_heads": v.total_heads,
        "leaf_count": v.leaf_count,
        "public_key": v.public_key,
        "result": v.result,
    }


def ballot_out(b: VoteBallot, user=None) -> dict:
    return {
        "id": b.pk,
        "elector_id": b.elector_id,
        "elector": b.elector.label,
        "channel": b.channel,
        "choice": b.choice,
        "status": b.status,
        "number": b.number,
        "leaf_index": b.leaf_index,
        "entered_by_me": user is not None and b.cast_by_id == user.pk,
    }


def receipt(b: VoteBallot) -> dict:
    head = q.latest_head(b.vote)
    assert head is not None
    return votes_log.receipt_at(b.vote, b, head)


def _vote(request, vote_id: int) -> Vote:
    found = q.vote(request.user, vote_id)
    if found is None:
        raise Http404
    return found


def _staff_vote(request, vote_id: int) -> Vote:
    found = q.staff_vote(request.user, vote_id)
    if found is None:
        raise Http404
    return found


def _head(vote: Vote, size: int) -> VoteTreeHead:
    head = q.head_of_size(vote, size)
    if head is None:
        raise ServiceError(
            "vote_no_tree_head", _("没有这个大小的已签名树头"), fields={"size": _("无效")}, status=404
        )
    return head


# --- staff: set-up, the roll, paper and proxy ballots ------------------------------------------


@router.get("/staff/{community_id}/votes", response=list[VoteOut])
def list_votes(request, community_id: int):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return [vote_out(v) for v in q.staff_votes(request.user, community_id)[:200]]


@router.post("/staff/{community_id}/votes", response={201: VoteOut})
def create_vote(request, community_id: int, payload: VoteIn):
    community = community_for(request, community_id, Action.ENGAGE_VIEW)
    vote = votes.do_create_vote(actor=request.user, community=community, **payload.dict())
    return Status(201, vote_out(vote))


@router.get("/staff/{community_id}/votes/roll-preview", response=VoteRollPreviewOut)
def roll_preview(request, community_id: int):
    community_for(request, community_id, Action.VOTE_SETUP)
    found = votes.roll_preview(community_id)
    return {**found, "area": f"{found['area']:.2f}"}


@router.get("/votes/mine", response=list[VoteOut])
def my_votes(request):
    return [vote_out(v) for v in q.my_votes(request.user)[:200]]


@router.get("/votes/{vote_id}", response=VoteOut)
def get_vote(request, vote_id: int):
    return vote_out(_vote(request, vote_id))


@router.post("/votes/{vote_id}/open", response=VoteOut)
def open_vote(request, vote_id: int):
    return vote_out(votes.do_open_vote(actor=request.user, vote=_staff_vote(request, vote_id)))


@router.post("/votes/{vote_id}/close", response=VoteOut)
def close_vote(request, vote_id: int):
    return vote_out(votes.do_close_vote(actor=request.user, vote=_staff_vote(request, vote_id)))


@router.get("/votes/{vote_id}/progress", response=VoteProgressOut)
def progress(request, vote_id: int):
    found = q.progress(_staff_vote(request, vote_id))
    return {
        **found,
        "area": votes_log.centi_str(found["area_centi"]),
        "total_area": votes_log.centi_str(found["total_area_centi"]),
    }


def _elector_out(e, voted: bool) -> dict:
    voters = list(e.voters.all())
    return {
        "id": e.pk,
        "label": e.label,
        "area": votes_log.centi_str(e.area_centi),
        "developer": e.developer,
        "voters": len(voters),
        "owners": [{"person_id": v.person_id, "relation": v.relation} for v in voters],
        "designated_person_id": e.designated_person_id,
        "voted": voted,
    }


@router.get("/votes/{vote_id}/electors", response=list[VoteElectorOut])
def electors(request, vote_id: int):
    """The roll's heads. `owners` are the people who may vote for a head (person ids and how
    they hold it, no names): co-owners name one of them with `designate`."""
    vote = _staff_vote(request, vote_id)
    voted = set(vote.ballots.filter(status__in=["valid", "pending"]).values_list("elector_id", flat=True))
    return [_elector_out(e, e.pk in voted) for e in q.electors(vote)[:2000]]


@router.post("/votes/{vote_id}/electors/{elector_id}/designate", response=VoteElectorOut)
def designate(request, vote_id: int, elector_id: int, payload: VoteDesignateIn):
    vote = _staff_vote(request, vote_id)
    e = q.elector(vote, elector_id)
    if e is None:
        raise Http404
    e = votes.do_set_designated_voter(actor=request.user, elector=e, person_id=payload.person_id)
    return _elector_out(e, False)


@router.get("/votes/{vote_id}/pending", response=list[VoteBallotOut])
def pending(request, vote_id: int):
    return [ballot_out(b, request.user) for b in q.pending(_staff_vote(request, vote_id))[:500]]


@router.post("/votes/{vote_id}/paper-ballots", response={201: VoteBallotOut})
def enter_paper(request, vote_id: int, payload: VotePaperBallotIn):
    vote = _staff_vote(request, vote_id)
    b = votes_ballots.do_enter_paper_ballot(actor=request.user, vote=vote, **payload.dict())
    return Status(201, ballot_out(b, request.user))


@router.post("/vote-ballots/{ballot_id}/confirm", response=VoteBallotOut)
def confirm_paper(request, ballot_id: int, payload: VoteDecideIn):
    b = q.staff_ballot(request.user, ballot_id)
    if b is None:
        raise Http404
    return ballot_out(
        votes_ballots.do_confirm_paper_ballot(actor=request.user, ballot=b, **payload.dict()), request.user
    )


@router.get("/vote-ballots/{ballot_id}/authorisation")
def authorisation(request, ballot_id: int):
    """The proxy's written authorisation, for the committee member who checks it."""
    b = q.staff_ballot(request.user, ballot_id)
    if (
        b is None
        or not b.authorisation
        or not scope_of(request.user).covers_community(Action.VOTE_SETUP, b.community_id)
    ):
        raise Http404
    return HttpResponse(bytes(b.authorisation), content_type=b.authorisation_type)


@router.post("/vote-ballots/{ballot_id}/check", response=VoteBallotOut)
def check_proxy(request, ballot_id: int, payload: VoteDecideIn):
    b = q.staff_ballot(request.user, ballot_id)
    if b is None:
        raise Http404
    return ballot_out(
        votes_ballots.do_check_proxy(actor=request.user, ballot=b, **payload.dict()), request.user
    )


# --- owners: ballots and receipts -------------------------------------------------------------


@router.get("/votes/{vote_id}/my", response=list[VoteMyElectorOut])
def my_electors(request, vote_id: int):
    vote = _vote(request, vote_id)
    return [
        {
            "id": e.pk,
            "label": e.label,
            "area": votes_log.centi_str(e.area_centi),
            "ballot": ballot_out(e.standing) if e.standing else None,
        }
        for e in q.my_electors(request.user, vote)
    ]


@router.post("/votes/{vote_id}/ballots", response={201: VoteReceiptOut})
def cast(request, vote_id: int, payload: VoteBallotIn):
    vote = _vote(request, vote_id)
    cast = votes_ballots.do_cast_ballot(actor=request.user, vote=vote, **payload.dict())
    return Status(201, cast.receipt)


@router.post("/votes/{vote_id}/proxy-ballots", response={201: VoteBallotOut})
def cast_proxy(
    request,
    vote_id: int,
    elector_id: Form[Id],  # type: ignore[valid-type]
    choice: Form[FormChoice],  # type: ignore[valid-type]
    authorisation: File[UploadedFile | None] = None,
):
    vote = _vote(request, vote_id)
    picked = [int(c) for c in choice.split(",") if c.strip().isdigit()] if vote.kind == "election" else choice
    data = authorisation.read(votes_ballots.MAX_AUTHORISATION + 1) if authorisation else None
    b = votes_ballots.do_cast_proxy_ballot(
        actor=request.user,
        vote=vote,
        elector_id=elector_id,
        choice=picked,
        authorisation=data,
    )
    return Status(201, ballot_out(b, request.user))


@router.get("/vote-ballots/{ballot_id}/receipt", response=VoteReceiptOut)
def my_receipt(request, ballot_id: int):
    b = q.my_ballot(request.user, ballot_id)
    if b is None or b.leaf_index is None:
        raise NotFound()
    return receipt(b)


# --- the log: tree heads, proofs, export (the community's residents and staff) ---------------


@router.get("/votes/{vote_id}/tree-head", response=VoteTreeHeadOut)
def tree_head(request, vote_id: int):
    head = q.latest_head(_vote(request, vote_id))
    if head is None:
        raise NotFound()
    return votes_log.head_out(head)


@router.get("/votes/{vote_id}/tree-heads", response=list[VoteTreeHeadOut])
def tree_heads(request, vote_id: int):
    return [votes_log.head_out(h) for h in q.heads(_vote(request, vote_id))[:1000]]


@router.get("/votes/{vote_id}/proofs/inclusion", response=VoteProofOut)
def inclusion(request, vote_id: int, index: LeafCount, size: LeafCount):  # type: ignore[valid-type]
    vote = _vote(request, vote_id)
    head = _head(vote, size)
    if not 0 <= index < size:
        raise ServiceError("vote_bad_range", _("叶子序号须小于树的大小"), fields={"index": _("无效")})
    return {"proof": votes_log.inclusion_proof(vote, index, size), "new": votes_log.head_out(head)}


@router.get("/votes/{vote_id}/proofs/consistency", response=VoteProofOut)
def consistency(request, vote_id: int, old: LeafCount, new: LeafCount):  # type: ignore[valid-type]
    vote = _vote(request, vote_id)
    if not 0 < old <= new:
        raise ServiceError("vote_bad_range", _("旧树须不为空且不大于新树"), fields={"old": _("无效")})
    old_head, new_head = _head(vote, old), _head(vote, new)
    return {
        "proof": votes_log.consistency_proof(vote, old, new),
        "old": votes_log.head_out(old_head),
        "new": votes_log.head_out(new_head),
    }


@router.get("/votes/{vote_id}/export", response=dict)
def export(request, vote_id: int, size: LeafCount | None = None):  # type: ignore[valid-type]
    vote = _vote(request, vote_id)
    head = _head(vote, size) if size is not None else q.latest_head(vote)
    if head is None:
        raise NotFound()
    return votes_log.export(vote, head)

"""Reads of owners' votes. Staff read through restrict(user, ENGAGE_VIEW) (a vote is the whole
community's: staff narrowed to some buildings see none); owners and residents of the
community see its votes, their log and proofs (docs/voting.md, "Who sees what")."""

from datetime import datetime

from django.db import connection
from django.db.models import Count, Q, Sum

from linli.core import rawsql
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.engage.choices_votes import STANDING, BallotStatus, Channel, VoteStatus
from linli.engage.models import Vote, VoteBallot, VoteElector, VoteTreeHead, VoteVoter


def roll_places(vote_id: int, user_id: int) -> list[VoteVoter]:
    """The user's places on a vote's roll, by id, each with its elector and `standing_id`: the
    elector's first standing ballot (valid or pending), None if it has none. One statement of
    hand-written SQL (linli.core.rawsql): every ballot reads it, and its queryset (a subquery
    annotation) cost a third of a ballot. The ORM reference is in tests/test_votes_reads.py."""
    sql = f"""
        SELECT {rawsql.columns(VoteVoter, "v")}, {rawsql.columns(VoteElector, "e")},
               (SELECT b.id FROM {rawsql.table(VoteBallot)} b
                WHERE b.elector_id = v.elector_id AND b.status IN (%s, %s) ORDER BY b.id LIMIT 1)
        FROM {rawsql.table(VoteVoter)} v
        JOIN {rawsql.table(VoteElector)} e ON e.id = v.elector_id
        WHERE v.vote_id = %s AND v.user_id = %s
        ORDER BY v.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*STANDING, vote_id, user_id])
        rows = cursor.fetchall()
    width = rawsql.width(VoteVoter)
    found = []
    for row in rows:
        voter = rawsql.instance(VoteVoter, row[:width])
        voter.elector = rawsql.instance(VoteElector, row[width:-1])
        voter.standing_id = row[-1]  # type: ignore[attr-defined]  # as the reference's annotation
        found.append(voter)
    return found


def staff_votes(user, community_id: int):
    return Vote.objects.restrict(user, Action.ENGAGE_VIEW).filter(community_id=community_id)


def visible_votes(user):
    """Votes the user may read: staff's, and those of the communities the user lives in."""
    scope = scope_of(user)
    own = Q(community_id__in=scope.resident_community_ids) | Q(
        pk__in=VoteVoter.objects.filter(user_id=user.pk).values("vote_id")
    )
    return (Vote.objects.restrict(user, Action.ENGAGE_VIEW) | Vote.objects.filter(own)).distinct()


def vote(user, vote_id: int) -> Vote | None:
    return (
        visible_votes(user)
        .exclude(status=VoteStatus.DRAFT, community_id__in=_not_staff(user))
        .filter(pk=vote_id)
        .first()
    )


def _not_staff(user) -> list[int]:
    """Communities where the user reads only as a resident: drafts are the committee's."""
    scope = scope_of(user)
    if scope.is_operator:
        return []
    return [c for c in scope.resident_community_ids if not scope.may_in_community(Action.ENGAGE_VIEW, c)]


def staff_vote(user, vote_id: int) -> Vote | None:
    return Vote.objects.restrict(user, Action.ENGAGE_VIEW).filter(pk=vote_id).first()


def my_votes(user):
    """Open and closed votes of the communities the user lives in, newest first."""
    scope = scope_of(user)
    return (
        Vote.objects.filter(
            Q(community_id__in=scope.resident_community_ids)
            | Q(pk__in=VoteVoter.objects.filter(user_id=user.pk).values("vote_id"))
        )
        .exclude(status=VoteStatus.DRAFT)
        .order_by("-id")
    )


def my_electors(user, vote: Vote) -> list[VoteElector]:
    electors = list(
        VoteElector.objects.filter(vote=vote, voters__user_id=user.pk).distinct().prefetch_related("parts")
    )
    for e in electors:
        e.standing = e.ballots.filter(status__in=STANDING).first()
    return electors


def roll_search(vote: Vote, text: str):
    """The roll's heads whose parts' labels hold every word of `text` (building, unit, house
    number), for a proxy to find the owner's part: labels and areas only, no one's name."""
    found = VoteElector.objects.filter(vote=vote)
    for word in text.split()[:3]:
        found = found.filter(label__icontains=word)
    return found.order_by("id")


def my_proxy_ballots(user, vote: Vote):
    """The proxy ballots the user sent for this vote, newest first, with their status."""
    return (
        VoteBallot.objects.filter(vote=vote, cast_by_id=user.pk, channel=Channel.PROXY)
        .select_related("elector")
        .order_by("-id")
    )


def my_ballot(user, ballot_id: int) -> VoteBallot | None:
    return VoteBallot.objects.filter(pk=ballot_id, cast_by=user).select_related("vote", "elector").first()


def electors(vote: Vote):
    return VoteElector.objects.filter(vote=vote).prefetch_related("parts", "voters").order_by("id")


def elector(vote: Vote, elector_id: int) -> VoteElector | None:
    return VoteElector.objects.filter(vote=vote, pk=elector_id).first()


def co_owned(vote: Vote) -> list[VoteElector]:
    """The roll's heads with several owners (co-owners, or owners of several parts together),
    each with its voters and whether it has a standing ballot, for naming who votes."""
    found = list(
        VoteElector.objects.filter(vote=vote, developer=False)
        .annotate(owners=Count("voters"))
        .filter(owners__gt=1)
        .prefetch_related("voters")
        .order_by("id")[:500]
    )
    standing = set(
        VoteBallot.objects.filter(vote=vote, status__in=STANDING, elector__in=found).values_list(
            "elector_id", flat=True
        )
    )
    for e in found:
        e.voted = e.pk in standing
    return found


def pending(vote: Vote):
    return VoteBallot.objects.filter(vote=vote, status=BallotStatus.PENDING).select_related(
        "elector", "cast_by"
    )


def staff_ballot(user, ballot_id: int) -> VoteBallot | None:
    return (
        VoteBallot.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(pk=ballot_id)
        .select_related("vote", "elector", "cast_by")
        .first()
    )


def progress(vote: Vote) -> dict:
    """Live participation: heads and area with a valid ballot, against the roll's totals."""
    valid = VoteBallot.objects.filter(vote=vote, status=BallotStatus.VALID)
    heads = valid.count()
    area = sum(valid.values_list("elector__area_centi", flat=True))
    return {
        "heads": heads,
        "area_centi": area,
        "total_heads": vote.total_heads,
        "total_area_centi": vote.total_area_centi,
        "pending": VoteBallot.objects.filter(vote=vote, status=BallotStatus.PENDING).count(),
    }


def latest_head(vote: Vote) -> VoteTreeHead | None:
    return VoteTreeHead.objects.filter(vote=vote).order_by("-size").first()


def head_of_size(vote: Vote, size: int) -> VoteTreeHead | None:
    return VoteTreeHead.objects.filter(vote=vote, size=size).first()


def heads(vote: Vote):
    return VoteTreeHead.objects.filter(vote=vote).order_by("size")


def _turnout(votes) -> list[dict]:
    """Each vote's community, title, status and participation shares as progress() counts them
    (no ballot), in two reads whatever the number of votes."""
    votes = list(votes)
    valid = (
        VoteBallot.objects.filter(vote__in=votes, status=BallotStatus.VALID)
        .values_list("vote_id")
        .annotate(heads=Count("id"), area=Sum("elector__area_centi"))
        .order_by()
    )
    counted = {vote_id: (heads, area or 0) for vote_id, heads, area in valid}
    found = []
    for vote in votes:
        heads, area = counted.get(vote.pk, (0, 0))
        found.append(
            {
                "community_id": vote.community_id,
                "title": vote.title,
                "status": vote.status,
                "heads": heads,
                "total_heads": vote.total_heads,
                "area_centi": area,
                "total_area_centi": vote.total_area_centi,
            }
        )
    return found


def open_votes_turnout(community_ids) -> list[dict]:
    """Each open vote of the communities with its participation, for dashboards:
    [{community_id, title, status, heads, total_heads, area_centi, total_area_centi}]."""
    open_votes = Vote.objects.filter(community_id__in=list(community_ids), status=VoteStatus.OPEN)
    return _turnout(open_votes.order_by("community_id", "id"))


def turnout_between(community_id: int, since: datetime, until: datetime) -> list[dict]:
    """For dashboards' monthly report: the votes open at some time in [since, until), each with
    its participation as open_votes_turnout, in the order they opened."""
    votes = Vote.objects.filter(community_id=community_id, opened_at__lt=until).exclude(closed_at__lt=since)
    return _turnout(votes.exclude(status=VoteStatus.DRAFT).order_by("opened_at", "id"))

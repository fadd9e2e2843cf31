"""Owners' vote pages. The resident's: the votes I can take part in, the ballot (the matter, its
Art. 278 item and threshold in plain words, my parts and their area), then the receipt; a
proxy's ballot for an owner, with the owner's written authorisation, and its status. The
console's: votes and their set-up with a preview of the roll, one vote's page (open, close,
live participation, paper ballots entered and confirmed by a second person, proxies checked,
the result)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.engage import queries_votes as q
from linli.engage.choices_votes import MAJOR_ITEMS, Art278Item, Choice, VoteKind, VoteStatus
from linli.engage.forms_votes import MAX_SEARCH, ProxyBallotForm
from linli.engage.services import votes, votes_ballots, votes_log
from linli.registry import queries as registry
from linli.registry.choices import Relation

SECTION = "engage_votes"


def threshold_text(item: int) -> str:
    if item in MAJOR_ITEMS:
        return _(
            "参与表决的业主须占专有部分面积和业主人数的三分之二以上；本事项须经参与表决的专有部分面积四分之三以上、"
            "且参与表决人数四分之三以上的业主同意（民法典第二百七十八条）。"
        )
    return _(
        "参与表决的业主须占专有部分面积和业主人数的三分之二以上；本事项须经参与表决的专有部分面积过半数、"
        "且参与表决人数过半数的业主同意（民法典第二百七十八条）。"
    )


def _area(centi: int) -> str:
    return votes_log.centi_str(centi)


def shown(result: dict | None) -> dict | None:
    """The result with its areas (hundredths of a ㎡ in the record) as ㎡ for the page."""
    if result is None:
        return None

    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return _area(value) if key in ("area", "total_area") and isinstance(value, int) else value

    return walk(result)


# --- resident --------------------------------------------------------------------------------


@resident_view
def my_votes(request):
    return render(
        request, "engage/votes/mine.html", {"votes": list(q.my_votes(request.user)[:50]), "tab": "services"}
    )


@resident_view
def ballot(request, vote_id: int):
    vote = q.vote(request.user, vote_id)
    if vote is None:
        raise Http404
    if request.method == "POST":
        choice = (
            request.POST.getlist("candidate")
            if vote.kind == VoteKind.ELECTION
            else request.POST.get("choice", "")
        )
        if vote.kind == VoteKind.ELECTION:
            choice = [int(c) for c in choice if c.isdigit()]
        elector = request.POST.get("elector", "")
        try:
            cast = votes_ballots.do_cast_ballot(
                actor=request.user,
                vote=vote,
                choice=choice,
                elector_id=int(elector) if elector.isdigit() else None,
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("engage:vote", vote_id=vote.pk)
        return redirect("engage:vote_receipt", ballot_id=cast.ballot.pk)
    electors = q.my_electors(request.user, vote)
    context = {
        "vote": vote,
        "item": Art278Item(vote.art278_item).label,
        "threshold": threshold_text(vote.art278_item),
        "electors": [(e, _area(e.area_centi)) for e in electors],
        "choices": Choice.choices,
        "candidates": list(enumerate(vote.candidates)),
        "result": shown(vote.result),
        "proxies": list(q.my_proxy_ballots(request.user, vote)[:20]),
        "tab": "services",
    }
    return render(request, "engage/votes/ballot.html", context)


# At most this many of the roll's heads on the proxy page: a search narrows them down.
PROXY_LIST = 50


@resident_view
def proxy_ballot(request, vote_id: int):
    """代业主投票（委托）: a resident of the community sends an owner's ballot with the owner's
    written authorisation; it counts once the committee checks the authorisation."""
    vote = q.vote(request.user, vote_id)
    if vote is None or vote.status != VoteStatus.OPEN:
        raise Http404
    search = request.GET.get("q", "")[:MAX_SEARCH].strip()
    electors = list(q.roll_search(vote, search)[: PROXY_LIST + 1])
    more = len(electors) > PROXY_LIST
    electors = electors[:PROXY_LIST]
    picked = request.POST.get("elector", "")
    chosen = q.elector(vote, int(picked)) if picked.isdigit() and len(picked) < 12 else None
    if chosen is not None and chosen not in electors:
        electors.insert(0, chosen)  # the part chosen before the search changed
    posted = request.method == "POST"
    form = ProxyBallotForm(
        request.POST if posted else None, request.FILES if posted else None, vote=vote, electors=electors
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["authorisation"]
        choice = form.cleaned_data["choice"]
        try:
            votes_ballots.do_cast_proxy_ballot(
                actor=request.user,
                vote=vote,
                elector_id=form.cleaned_data["elector"] or 0,
                choice=list(choice) if vote.kind == VoteKind.ELECTION else choice,
                authorisation=upload.read(votes_ballots.MAX_AUTHORISATION + 1) if upload else None,
            )
        except ServiceError as exc:
            form.refused(exc)
        else:
            messages.success(request, _("已提交，待业主委员会核对"))
            return redirect("engage:vote", vote_id=vote.pk)
    context = {
        "vote": vote,
        "form": form,
        "search": search,
        "more": more,
        "tab": "services",
    }
    return render(request, "engage/votes/proxy.html", context, status=422 if form.errors else 200)


@resident_view
def receipt(request, ballot_id: int):
    found = q.my_ballot(request.user, ballot_id)
    if found is None or found.leaf_index is None:
        raise Http404
    head = q.latest_head(found.vote)
    return render(request, "engage/votes/receipt.html", {"ballot": found, "vote": found.vote, "head": head})


# --- console ---------------------------------------------------------------------------------


@staff_view(Action.ENGAGE_VIEW, SECTION)
def console_votes(request, console: Console):
    cid = console.community.id
    if request.method == "POST":
        if not console.may(Action.VOTE_SETUP):
            raise Http404
        try:
            vote = votes.do_create_vote(
                actor=request.user,
                community=console.community,
                title=request.POST.get("title", "")[:120],
                body=request.POST.get("body", "")[:4000],
                art278_item=int(request.POST.get("art278_item", "0") or 0),
                kind=request.POST.get("kind", VoteKind.MATTER),
                seats=int(request.POST.get("seats", "0") or 0),
                candidates=request.POST.get("candidates", "").splitlines(),
                secret=bool(request.POST.get("secret")),
            )
        except (ServiceError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", _("请检查输入"))))
            return redirect(console.reverse("engage:votes_console"))
        return redirect(console.reverse("engage:vote_console", vote.pk))
    context = {
        "votes": list(q.staff_votes(request.user, cid)[:100]),
        "may_setup": console.may(Action.VOTE_SETUP),
        "items": Art278Item.choices,
        "preview": votes.roll_preview(cid) if console.may(Action.VOTE_SETUP) else None,
    }
    return console.render(request, "engage/votes/console_list.html", context)


def _staff_vote(request, console: Console, vote_id: int):
    vote = q.staff_vote(request.user, vote_id)
    if vote is None or vote.community_id != console.community.id:
        raise Http404
    return vote


@staff_view(Action.ENGAGE_VIEW, SECTION)
def console_vote(request, console: Console, vote_id: int):
    vote = _staff_vote(request, console, vote_id)
    progress = q.progress(vote)
    context = {
        "vote": vote,
        "item": Art278Item(vote.art278_item).label,
        "threshold": threshold_text(vote.art278_item),
        "progress": progress,
        "area": _area(progress["area_centi"]),
        "total_area": _area(vote.total_area_centi),
        "pending": list(q.pending(vote)[:200]),
        "electors": list(q.electors(vote)[:2000]) if console.may(Action.VOTE_COUNTER) else [],
        "choices": Choice.choices,
        "may_setup": console.may(Action.VOTE_SETUP),
        "may_count": console.may(Action.VOTE_COUNTER),
        "result": shown(vote.result),
        "co_owned": _co_owned(vote)
        if vote.status == VoteStatus.OPEN and console.may(Action.VOTE_SETUP)
        else [],
    }
    return console.render(request, "engage/votes/console_vote.html", context)


def _owner(names: dict[int, str], voter) -> str:
    """张*（共有人）: masked, and told apart by how they own the part."""
    return f"{names.get(voter.person_id) or '—'}（{Relation(voter.relation).label}）"


def _co_owned(vote) -> list[dict]:
    """The heads of several owners with their owners' masked names, for naming who votes."""
    electors = q.co_owned(vote)
    names = registry.masked_names_in(
        vote.community_id, {v.person_id for e in electors for v in e.voters.all()}
    )
    return [
        {
            "elector": e,
            "voters": [(v.person_id, _owner(names, v)) for v in e.voters.all()],
            "designated": next(
                (_owner(names, v) for v in e.voters.all() if v.person_id == e.designated_person_id), ""
            ),
        }
        for e in electors
    ]


def _act(request, console: Console, vote_id: int, do) -> object:
    try:
        do()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect(console.reverse("engage:vote_console", vote_id))


@require_POST
@staff_view(Action.VOTE_SETUP, SECTION)
def console_open(request, console: Console, vote_id: int):
    vote = _staff_vote(request, console, vote_id)
    return _act(request, console, vote.pk, lambda: votes.do_open_vote(actor=request.user, vote=vote))


@require_POST
@staff_view(Action.VOTE_SETUP, SECTION)
def console_close(request, console: Console, vote_id: int):
    vote = _staff_vote(request, console, vote_id)
    return _act(request, console, vote.pk, lambda: votes.do_close_vote(actor=request.user, vote=vote))


@require_POST
@staff_view(Action.VOTE_SETUP, SECTION)
def console_designate(request, console: Console, vote_id: int, elector_id: int):
    """The co-owners' written note names who of them votes for their parts."""
    vote = _staff_vote(request, console, vote_id)
    elector = q.elector(vote, elector_id)
    if elector is None:
        raise Http404
    person = request.POST.get("person", "")

    def designate():
        votes.do_set_designated_voter(
            actor=request.user,
            elector=elector,
            person_id=int(person) if person.isdigit() and len(person) < 12 else 0,
        )
        messages.success(request, _("已指定投票人：%(label)s") % {"label": elector.label})

    return _act(request, console, vote.pk, designate)


@require_POST
@staff_view(Action.VOTE_COUNTER, SECTION)
def console_paper(request, console: Console, vote_id: int):
    vote = _staff_vote(request, console, vote_id)
    elector = request.POST.get("elector", "")
    choice = (
        [int(c) for c in request.POST.getlist("candidate") if c.isdigit()]
        if vote.kind == VoteKind.ELECTION
        else request.POST.get("choice", "")
    )

    def enter():
        votes_ballots.do_enter_paper_ballot(
            actor=request.user,
            vote=vote,
            elector_id=int(elector) if elector.isdigit() else 0,
            choice=choice,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("纸质选票已录入，请另一名工作人员核对确认"))

    return _act(request, console, vote.pk, enter)


@require_POST
@staff_view(Action.VOTE_COUNTER, SECTION)
def console_decide(request, console: Console, ballot_id: int):
    found = q.staff_ballot(request.user, ballot_id)
    if found is None or found.community_id != console.community.id:
        raise Http404
    approve = request.POST.get("approve") == "1"
    do = votes_ballots.do_check_proxy if found.channel == "proxy" else votes_ballots.do_confirm_paper_ballot
    return _act(
        request, console, found.vote_id, lambda: do(actor=request.user, ballot=found, approve=approve)
    )

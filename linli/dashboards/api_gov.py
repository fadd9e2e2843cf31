"""/api/v1/dashboards: the government view's figures (GRID-3) as JSON, with the pages'
suppression (`gov`); a community out of the user's stats.view is 404, a grid or building whose
people figures are all hidden 403 `too_few_to_show`."""

from django.utils import timezone
from ninja import Query, Router

from linli.dashboards import gov, gov_period, suppression
from linli.dashboards.metrics import METRICS
from linli.dashboards.schemas_gov import (
    CommunityFiguresOut,
    MetricsOut,
    OneStreetOut,
    PartOut,
    PeriodQuery,
    StreetQuery,
    StreetsOut,
)

router = Router(tags=["dashboards"])


def _period(q: PeriodQuery) -> gov_period.Period:
    return gov_period.period_of(q.period, timezone.localdate())


def _period_out(p: gov_period.Period) -> dict:
    return {"key": p.key, "since": p.since, "until": p.until}


def _row(row: gov.Row, keys) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "figures": [{"key": k, "value": row.cells[k].value, "note": row.cells[k].note} for k in keys],
    }


ALL = [c.key for c in gov.COLUMNS]


def _street(s: gov.Street, communities) -> dict:
    return {
        "district": s.district,
        "street": s.street,
        "total": _row(s.total, ALL),
        "communities": communities,
    }


@router.get("/streets", response=StreetsOut)
def streets(request, q: Query[PeriodQuery]):
    """The streets of the communities whose stats.view the user holds, each with its total and
    the names of its communities (their figures: /streets/one)."""
    found = gov.streets(request.user, _period(q))
    return {
        "day": found.day,
        "period": _period_out(found.period),
        "streets": [_street(s, [{"id": c.id, "name": c.name} for c in s.communities]) for s in found.streets],
    }


@router.get("/streets/one", response=OneStreetOut)
def one_street(request, q: Query[StreetQuery]):
    """One street (district + street) of the user's, with each community's figures."""
    found = gov.streets(request.user, _period(q), only=(q.district, q.street))
    one = found.streets[0] if found.streets else None
    return {
        "day": found.day,
        "period": _period_out(found.period),
        "street": _street(one, [_row(c, ALL) for c in one.communities]) if one else None,
    }


@router.get("/communities/{community_id}/figures", response=CommunityFiguresOut)
def community_figures(request, community_id: int, q: Query[PeriodQuery]):
    f = gov.community(request.user, community_id, _period(q))
    return {
        "id": f.id,
        "name": f.name,
        "district": f.district,
        "street": f.street,
        "day": f.day,
        "period": _period_out(f.period),
        "figures": _row(f.row, ALL)["figures"],
        "grids": [
            {**_row(g, gov.PART_COLUMNS), "building_ids": sorted(f.grid_buildings[g.id])} for g in f.grids
        ],
        "buildings": [_row(b, gov.PART_COLUMNS) for b in f.buildings],
        "breakdowns": [
            {
                "title": str(b.title),
                "metric": b.how,
                "rows": [
                    {
                        "label": label,
                        "figures": [
                            {"key": k, "value": cells[k].value, "note": cells[k].note} for k, _l in b.columns
                        ],
                    }
                    for label, cells in b.rows
                ],
            }
            for b in f.breakdowns
        ],
    }


@router.get("/communities/{community_id}/grids/{grid_id}", response=PartOut)
def grid_figures(request, community_id: int, grid_id: int, q: Query[PeriodQuery]):
    f = gov.community(request.user, community_id, _period(q))
    row = gov.showable(request.user, f, f.grid(grid_id), "grid")
    return _part(f, row, f.buildings_of(grid_id))


@router.get("/communities/{community_id}/buildings/{building_id}", response=PartOut)
def building_figures(request, community_id: int, building_id: int, q: Query[PeriodQuery]):
    f = gov.community(request.user, community_id, _period(q))
    return _part(f, gov.showable(request.user, f, f.building(building_id), "building"), [])


def _part(f: gov.CommunityFigures, row: gov.Row, buildings: list) -> dict:
    return {
        "day": f.day,
        "period": _period_out(f.period),
        "part": _row(row, gov.PART_COLUMNS),
        "buildings": [_row(b, gov.PART_COLUMNS) for b in buildings],
    }


@router.get("/metrics", response=MetricsOut)
def metrics(request):
    """How each figure is computed, and the suppression threshold."""
    return {
        "threshold": suppression.THRESHOLD,
        "metrics": [
            {
                "key": m.key,
                "label": str(m.label),
                "unit": str(m.unit),
                "how": str(m.how),
                "people": m.people,
                "stock": m.stock,
            }
            for m in METRICS.values()
        ],
    }

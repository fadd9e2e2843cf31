"""The data-sharing API for city systems (SEC-4), mounted at /api/v1/sharing. Its bearer is a
sharing token (`lns_…`), not a user: a user's token or session gets 401. Every call is logged
and counted against the token's rate (docs/data-sharing.md)."""

from django.http import JsonResponse
from ninja import Query, Router
from ninja.security import HttpBearer

from linli.dashboards.schemas_sharing import CatalogueOut, CellsOut, CellsQuery
from linli.dashboards.services import sharing


class SharingKey(HttpBearer):
    """Hands the key to the service, which resolves it and logs the call (a bad key too)."""

    def authenticate(self, request, token: str):
        return token or None


router = Router(auth=SharingKey(), tags=["sharing"])


@router.get("/datasets", response=CatalogueOut)
def datasets(request):
    """The datasets this token may read, with their fields, levels and communities."""
    return sharing.serve_catalogue(request.auth)


@router.get("/datasets/{dataset}", response=CellsOut)
def dataset_cells(request, dataset: str, query: Query[CellsQuery]):
    """One dataset's cells at a level (the token's finest by default) over the token's
    communities, or one of them; a flow over [since, until] (default: the last 30 days), a stock
    as of `until`. A cell under the suppression threshold, or one that would give one away, has
    `value: null`. Refusals: 401 `invalid_token`/`token_revoked`, 403 `dataset_not_granted`,
    `level_not_granted`, `community_not_granted`, `street_not_granted`, `subset_not_served`,
    429 `rate_limited` (Retry-After)."""
    body = sharing.serve_dataset(
        request.auth, dataset, query.level, query.community, query.since, query.until
    )
    # Thousands of cells: written as they are, not validated once more one by one against the
    # schema (which documents them; the service builds exactly that shape).
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})

"""/api/v1/workorders: a manager's Open311 keys (docs/open311.md). The raw key is in the answer
to its creation only; afterwards it is known by its prefix."""

from datetime import datetime

from ninja import Router, Schema, Status

from linli.core.http import community_for
from linli.core.roles import Action
from linli.core.schema_types import InputSchema, column
from linli.workorders.models import ApiKey
from linli.workorders.services import open311_keys

router = Router(tags=["workorders"])


class ApiKeyIn(InputSchema):
    name: column(ApiKey, "name", min_length=1)


class ApiKeyOut(Schema):
    id: int
    community_id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class NewApiKeyOut(ApiKeyOut):
    key: str  # shown this once


@router.post("/communities/{community_id}/open311-keys", response={201: NewApiKeyOut})
def create_key(request, community_id: int, payload: ApiKeyIn):
    """A key for one Open311 client of the community (needs workorder.setup)."""
    community = community_for(request, community_id, Action.WORKORDER_SETUP)
    key, raw = open311_keys.do_create_api_key(
        actor=request.user, community_id=community.pk, name=payload.name
    )
    return Status(201, {**ApiKeyOut.model_validate(key).model_dump(), "key": raw})


@router.post("/open311-keys/{key_id}/revoke", response=ApiKeyOut)
def revoke_key(request, key_id: int):
    """From now on the key is refused with 403; a key of another community is a 404."""
    return open311_keys.do_revoke_api_key(actor=request.user, key_id=key_id)

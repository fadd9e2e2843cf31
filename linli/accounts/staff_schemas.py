from typing import Literal

from ninja import Field, Schema

from linli.accounts.models import User
from linli.accounts.services.staff import SignIn
from linli.core.models import Membership
from linli.core.schema_types import Id, InputSchema, Text, column
from linli.registry.schemas import CommunityIn, CommunityOut, Phone

SignInKind = Literal[SignIn.values]


class RoleIn(InputSchema):
    role: column(Membership, "role")
    building_id: Id | None = None
    grid_id: Id | None = None


class AdminIn(InputSchema):
    username: Text(40, min_length=3)
    display_name: column(User, "display_name", min_length=1)
    phone: Phone = ""
    sign_in: SignInKind = SignIn.INVITE


class StaffIn(AdminIn):
    roles: list[RoleIn] = Field(min_length=1, max_length=10)


class CommunityOpenIn(CommunityIn):
    """A community and, optionally, its first admin (created in the same transaction)."""

    admin: AdminIn | None = None


class StaffRoleOut(Schema):
    membership_id: int
    role: str
    building_id: int | None
    grid_id: int | None


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    password_set: bool  # false: invited and not yet accepted, or SMS sign-in
    roles: list[StaffRoleOut]


class StaffCreatedOut(Schema):
    id: int
    username: str
    # The one-time set-password link, shown once: hand it to the person (empty for SMS sign-in).
    invite_url: str


class CommunityOpenOut(CommunityOut):
    admin: StaffCreatedOut | None = None


class InviteOut(Schema):
    invite_url: str


class DisabledOut(Schema):
    deactivated: bool

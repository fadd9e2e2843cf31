from ninja import Field, Schema

from linli.accounts.staff import SignIn
from linli.registry.schemas import CommunityIn, CommunityOut


class RoleIn(Schema):
    role: str = Field(max_length=30)
    building_id: int | None = Field(None, ge=1, le=2**63 - 1)
    grid_id: int | None = Field(None, ge=1, le=2**63 - 1)


class StaffIn(Schema):
    username: str = Field(min_length=3, max_length=40)
    display_name: str = Field(min_length=1, max_length=60)
    phone: str = Field("", max_length=20)
    sign_in: str = Field(SignIn.INVITE, pattern="^(invite|sms)$")
    roles: list[RoleIn] = Field(min_length=1, max_length=10)


class AdminIn(Schema):
    username: str = Field(min_length=3, max_length=40)
    display_name: str = Field(min_length=1, max_length=60)
    phone: str = Field("", max_length=20)
    sign_in: str = Field(SignIn.INVITE, pattern="^(invite|sms)$")


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

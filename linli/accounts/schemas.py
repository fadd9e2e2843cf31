from datetime import date, datetime

from ninja import Field, Schema

from linli.accounts import limits


class SmsCodeIn(Schema):
    phone: str = Field(max_length=20)


class SmsCodeOut(Schema):
    expires_in: int
    resend_after: int


class SmsLoginIn(Schema):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=10)
    want_token: bool = False
    token_name: str = Field("app", max_length=60)


class StaffLoginIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    totp: str = Field("", max_length=10)
    want_token: bool = False
    token_name: str = Field("app", max_length=60)


class MembershipBrief(Schema):
    id: int
    community_id: int
    community_name: str
    role: str
    role_label: str
    building_id: int | None
    grid_id: int | None
    valid_until: date | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str  # masked
    is_operator: bool
    elderly_mode: bool
    language: str
    totp_enabled: bool
    has_password: bool
    memberships: list[MembershipBrief]
    house_ids: list[int]
    resident_community_ids: list[int]


class MePatch(Schema):
    elderly_mode: bool | None = None
    language: str | None = Field(None, max_length=10)


class SignedInOut(Schema):
    user: MeOut
    token: str | None = None
    token_expires_at: datetime | None = None


class TokenIn(Schema):
    name: str = Field(max_length=60)
    expires_in_days: int = limits.TOKEN_DEFAULT_DAYS


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TotpEnableOut(Schema):
    provisioning_uri: str
    secret: str


class TotpConfirmIn(Schema):
    code: str = Field(max_length=10)

from datetime import date, datetime

from ninja import Schema

from linli.accounts import limits
from linli.accounts.models import ApiToken, User
from linli.core.schema_types import Bool, InputSchema, Int, Text, column, optional

Phone = Text(20)
TokenName = column(ApiToken, "name")


class SmsCodeIn(InputSchema):
    phone: Phone


class SmsCodeOut(Schema):
    expires_in: int
    resend_after: int


class SmsLoginIn(InputSchema):
    phone: Phone
    code: Text(10)
    want_token: Bool = False
    token_name: TokenName = "app"


class StaffLoginIn(InputSchema):
    username: column(User, "username")
    password: Text(256)
    totp: Text(10) = ""
    want_token: Bool = False
    token_name: TokenName = "app"


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


class MePatch(InputSchema):
    elderly_mode: column(User, "elderly_mode") = optional()
    language: column(User, "language") = optional()


class SignedInOut(Schema):
    user: MeOut
    token: str | None = None
    token_expires_at: datetime | None = None


class TokenIn(InputSchema):
    name: TokenName
    # any 32-bit number: the service answers `invalid_expiry` outside 1..TOKEN_MAX_DAYS
    expires_in_days: Int(-(2**31), 2**31 - 1) = limits.TOKEN_DEFAULT_DAYS


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


class TotpConfirmIn(InputSchema):
    code: Text(10)

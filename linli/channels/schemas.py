from datetime import datetime

from ninja import Schema

from linli.accounts.schemas import MeOut, Phone
from linli.core.schema_types import InputSchema, Text


class WeChatMiniSessionIn(InputSchema):
    code: Text(128)  # from the mini-program's wx.login()


class WeChatMiniSessionOut(Schema):
    bound: bool
    # bound: the account and its API token (shown once)
    user: MeOut | None = None
    token: str | None = None
    token_expires_at: datetime | None = None
    # not bound yet: the ticket for POST /wechat/mini/bind, with how long it lives
    ticket: str | None = None
    ticket_expires_in: int | None = None


class WeChatMiniBindIn(InputSchema):
    ticket: Text(64)
    phone: Phone
    code: Text(10)  # the SMS code from POST /auth/sms-code


class WeChatBindingOut(Schema):
    id: int
    app_id: str
    openid: str  # masked
    bound_at: datetime

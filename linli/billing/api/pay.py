"""Online payment, refunds and reconciliation over the API (docs/billing.md):

- the resident's: open bills by house, an order for some of them (or a prepayment), the order's
  state, payment history;
- the providers': POST /notify/<provider>, no session and no CSRF — the signature is the
  authentication, checked by the provider's verifier before anything is read;
- staff's: payments, refunds (request, approve, reject), reconciliation (download or import a
  day's trade bill, the report).
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from linli.billing import queries
from linli.billing.choices import PaymentPurpose
from linli.billing.schemas import BillOut, Fen, bill_out
from linli.billing.services import pay, reconcile, refunds
from linli.core.errors import NotFound
from linli.core.http import community_for
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schema_types import Date, Id, InputSchema, Text
from linli.core.schemas import PageQuery

router = Router(tags=["billing-pay"])

Channel = Literal["wechat", "alipay", "sandbox"]
Provider = Literal["wechat", "alipay", "sandbox"]


class HouseBillsOut(Schema):
    house: int
    label: str
    owed_fen: int
    bills: list[BillOut]


class OrderIn(InputSchema):
    house: Id
    channel: Channel
    purpose: Literal["bills", "prepay"] = "bills"
    bills: list[Id] = []
    amount_fen: Fen() | None = None
    openid: Text(64) = ""  # JSAPI inside WeChat
    # Where the payer is: "qr" to scan, "wap" for a phone's browser; by the User-Agent if not given.
    scene: Literal["qr", "wap"] | None = None


class OrderOut(Schema):
    out_trade_no: str
    amount_fen: int
    status: str
    kind: str
    code_url: str = ""
    redirect_url: str = ""
    jsapi: dict = {}


class OrderStateOut(Schema):
    out_trade_no: str
    amount_fen: int
    status: str
    channel: str
    paid_at: datetime | None
    code_url: str = ""  # the QR to pay it by: for the one who placed it, while it is payable


class PaymentOut(Schema):
    id: int
    out_trade_no: str
    house: int | None
    purpose: str
    channel: str
    amount_fen: int
    refunded_fen: int
    status: str
    paid_at: datetime | None


class RefundIn(InputSchema):
    payment: Id
    amount_fen: Fen()
    reason: Text(200, min_length=1)


class RefundOut(Schema):
    id: int
    payment: int
    amount_fen: int
    reason: str
    status: str
    out_refund_no: str


class DownloadIn(InputSchema):
    provider: Provider
    day: Date


class DayOut(Schema):
    day: date
    counts: dict[str, int]


class LineOut(Schema):
    provider: str
    day: date
    out_trade_no: str
    kind: str
    amount_fen: int
    result: str


def _paged(rows, nxt, schema):
    return {
        "items": [schema.model_validate(r, from_attributes=True).model_dump() for r in rows],
        "next_cursor": nxt,
    }


# --- the resident's ----------------------------------------------------------------------


@router.get("/my/bills", response=list[HouseBillsOut])
def my_bills(request):
    return [
        {
            "house": h.pk,
            "label": str(h),
            "owed_fen": h.owed_fen,
            "bills": [bill_out(b) for b in h.open_bills],
        }
        for h in queries.my_open_bills_by_house(request.user)
    ]


@router.post("/my/orders", response={201: OrderOut})
def create_order(request, data: OrderIn):
    started = pay.do_create_order(
        actor=request.user,
        house_id=data.house,
        channel=data.channel,
        purpose=PaymentPurpose(data.purpose),
        bill_ids=data.bills,
        amount_fen=data.amount_fen,
        client_ip=request.META.get("REMOTE_ADDR", ""),
        payer_openid=data.openid or pay.payer_openid(request.user, request.headers.get("User-Agent", "")),
        scene=pay.scene_for(data.scene or "", request.headers.get("User-Agent", "")),
        **pay.callback_urls(request.build_absolute_uri, data.channel),
    )
    p, s = started.payment, started.start
    return Status(
        201,
        {
            "out_trade_no": p.out_trade_no,
            "amount_fen": p.amount_fen,
            "status": p.status,
            "kind": s.kind,
            "code_url": s.code_url,
            "redirect_url": s.redirect_url,
            "jsapi": s.jsapi,
        },
    )


@router.get("/my/orders/{out_trade_no}", response=OrderStateOut)
def order_state(request, out_trade_no: str):
    payment = queries.my_order(request.user, out_trade_no[:32])
    if payment is None:
        raise NotFound()
    return {
        "out_trade_no": payment.out_trade_no,
        "amount_fen": payment.amount_fen,
        "status": payment.status,
        "channel": payment.channel,
        "paid_at": payment.paid_at,
        "code_url": payment.code_url_for(request.user),
    }


@router.get("/my/payments", response=dict)
def my_payments(request, filters: Query[PageQuery]):
    rows, nxt = keyset_page(
        queries.my_payments(request.user), cursor=filters.cursor, limit=filters.limit, newest_first=True
    )
    return _paged(rows, nxt, PaymentOut)


# --- the providers' ----------------------------------------------------------------------


@router.post("/notify/{provider}", auth=None, url_name="billing_notify", include_in_schema=False)
def notify(request: HttpRequest, provider: Provider):
    """No auth, no CSRF: the provider's signature is the authentication."""
    try:
        ok = pay.receive_notification(provider, dict(request.headers), request.body).ok
    except RequestDataTooBig:  # no provider sends that much: answered in its format, unread
        ok = False
    status, content_type, body = pay.provider_for(provider).acknowledgement(ok)
    return HttpResponse(body, status=status, content_type=content_type)


# --- staff's -----------------------------------------------------------------------------


@router.get("/communities/{community_id}/payments", response=dict)
def list_payments(request, community_id: int, filters: Query[PageQuery]):
    community_for(request, community_id, Action.BILLING_VIEW)
    qs = queries.community_payments(request.user, community_id)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True)
    return _paged(rows, nxt, PaymentOut)


@router.get("/communities/{community_id}/refunds", response=dict)
def list_refunds(request, community_id: int, filters: Query[PageQuery]):
    community_for(request, community_id, Action.BILLING_VIEW)
    qs = queries.refunds(request.user, community_id)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True)
    return _paged([_refund(r) for r in rows], nxt, RefundOut)


def _refund(refund) -> dict:
    return {
        "id": refund.pk,
        "payment": refund.payment_id,
        "amount_fen": refund.amount_fen,
        "reason": refund.reason,
        "status": refund.status,
        "out_refund_no": refund.out_refund_no,
    }


@router.post("/refunds", response={201: RefundOut})
def request_refund(request, data: RefundIn):
    refund = refunds.do_request_refund(
        actor=request.user, payment_id=data.payment, amount_fen=data.amount_fen, reason=data.reason
    )
    return Status(201, _refund(refund))


@router.post("/refunds/{refund_id}/approve", response=RefundOut)
def approve_refund(request, refund_id: int):
    return _refund(refunds.do_approve_refund(actor=request.user, refund_id=refund_id))


@router.post("/refunds/{refund_id}/reject", response=RefundOut)
def reject_refund(request, refund_id: int):
    return _refund(refunds.do_reject_refund(actor=request.user, refund_id=refund_id))


@router.post("/communities/{community_id}/reconciliation/download", response=DayOut)
def download_statement(request, community_id: int, data: DownloadIn):
    community_for(request, community_id, Action.BILLING_APPROVE)
    result = reconcile.do_download_statement(
        actor=request.user, community_id=community_id, provider=data.provider, day=data.day
    )
    return {"day": result.day, "counts": result.counts}


@router.post("/communities/{community_id}/reconciliation/import", response=list[DayOut])
def import_statement(request, community_id: int, provider: Form[Provider], file: File[UploadedFile]):
    community_for(request, community_id, Action.BILLING_APPROVE)
    results = reconcile.do_import_statement(
        actor=request.user, community_id=community_id, provider=provider, data=file.read()
    )
    return [{"day": r.day, "counts": r.counts} for r in results]


@router.get("/communities/{community_id}/reconciliation/{day}", response=list[LineOut])
def statement_day(request, community_id: int, day: date):
    community_for(request, community_id, Action.BILLING_APPROVE)
    return list(queries.statement_lines(request.user, community_id, day))

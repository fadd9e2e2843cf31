"""What the payment services share: the provider of a channel, and money typed by a user."""

from django.utils.translation import gettext_lazy as _

from linli.billing import providers
from linli.billing.providers.base import Provider
from linli.core.errors import ServiceError

MAX_AMOUNT_FEN = 100_000_000  # 100万元: a typo, not a payment


def provider_for(channel: str) -> Provider:
    try:
        return providers.get(channel)
    except KeyError:
        raise ServiceError(
            "channel_unavailable", _("该支付方式未开通"), fields={"channel": channel}
        ) from None


def check_amount(fen) -> int:
    """Money from a user: whole fen, positive, bounded."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0 or fen > MAX_AMOUNT_FEN:
        raise ServiceError("invalid_amount", _("金额应为正的整数分"), fields={"amount_fen": fen})
    return fen

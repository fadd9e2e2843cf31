"""What the payment services share: the provider of a channel."""

from django.utils.translation import gettext_lazy as _

from linli.billing import providers
from linli.billing.providers.base import Provider
from linli.core.errors import ServiceError


def provider_for(channel: str) -> Provider:
    try:
        return providers.get(channel)
    except KeyError:
        raise ServiceError(
            "channel_unavailable", _("该支付方式未开通"), fields={"channel": channel}
        ) from None

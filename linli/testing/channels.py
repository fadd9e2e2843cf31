"""WeChat objects for the walks: a binding no one but its owner may undo."""

from django.utils import timezone

from linli.channels.models import WeChatIdentity


def probe_ids(user) -> dict[str, int]:
    """A WeChat binding of `user` (for the narrowed-staff walk, 2号楼's resident)."""
    identity = WeChatIdentity(user=user, app_id="wx0000000000probe", bound_at=timezone.now())
    identity.set_openid("oProbe0penid_of_2hao_lou0000")
    identity.save()
    return {"identity_id": identity.pk}

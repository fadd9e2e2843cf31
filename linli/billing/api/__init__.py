"""The billing API under /api/v1/billing/ (one router per area, each in its own module)."""

from ninja import Router

router = Router(tags=["billing"])

from linli.billing.api import counter  # noqa: E402  (each area's router after the root's)

router.add_router("", counter.router)

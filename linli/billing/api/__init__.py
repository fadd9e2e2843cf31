"""The billing API under /api/v1/billing/ (one router per area, each in its own module)."""

from ninja import Router

router = Router(tags=["billing"])
router.add_router("", "linli.billing.api.pay.router")

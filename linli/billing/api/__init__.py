"""The billing API under /api/v1/billing/ (one router per area, each in its own module)."""

from ninja import Router

from linli.billing.api import setup

router = Router(tags=["billing"])
router.add_router("", setup.router)

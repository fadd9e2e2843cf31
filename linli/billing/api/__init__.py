"""The billing API under /api/v1/billing/ (one router per area, each in its own module)."""

from ninja import Router

router = Router(tags=["billing"])
for area in ("setup", "money", "pay", "counter"):
    router.add_router("", f"linli.billing.api.{area}.router")

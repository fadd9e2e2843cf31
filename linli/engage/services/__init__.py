"""Every write of engage, one module per area (docs/architecture.md)."""

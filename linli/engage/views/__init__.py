"""engage's pages, one module per area."""

"""engage's pages, one module per area (resident H5 and console)."""

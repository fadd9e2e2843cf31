"""engage's pages: the resident's H5 and the console's, one module per area."""

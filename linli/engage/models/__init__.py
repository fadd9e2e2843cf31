"""engage's models, one module per area; each area's models are exported here."""

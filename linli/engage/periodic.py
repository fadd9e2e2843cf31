"""engage's periodic jobs, one module per area (core's scheduler discovers this module only)."""

from linli.engage import periodic_notices  # noqa: F401  (registers its jobs)

"""engage's periodic jobs (core's scheduler discovers this module only), one module per area."""

from linli.engage import periodic_notices, periodic_points  # noqa: F401  (they register their jobs)

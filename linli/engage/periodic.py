"""engage's periodic jobs (found by linli.core.periodic's autodiscovery), one module per area."""

from linli.engage import periodic_points  # noqa: F401

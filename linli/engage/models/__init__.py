"""engage's models, one module per area; each area's models are exported here."""

from linli.engage.models.convention import *  # noqa: F403
from linli.engage.models.points import *  # noqa: F403

"""engage's models, one module per area; each area's models are exported here."""

from linli.engage.models.notices import Notice, NoticeAttachment, NoticeHousehold, NoticeRecipient  # noqa: F401
from linli.engage.models.proposals import Backing, Comment, DeliberationSettings, Proposal, Report  # noqa: F401

"""engage's models, one module per area; each area's models are exported here."""

from linli.engage.models.activities import *  # noqa: F403
from linli.engage.models.convention import *  # noqa: F403
from linli.engage.models.notices import Notice, NoticeAttachment, NoticeHousehold, NoticeRecipient  # noqa: F401
from linli.engage.models.points import *  # noqa: F403
from linli.engage.models.proposals import Backing, Comment, DeliberationSettings, Proposal, Report  # noqa: F401
from linli.engage.models.surveys import *  # noqa: F403
from linli.engage.models.votes import (  # noqa: F401
    Vote,
    VoteBallot,
    VoteElector,
    VoteLeaf,
    VoteNode,
    VotePart,
    VoteTreeHead,
    VoteVoter,
)

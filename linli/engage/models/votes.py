"""Owners' assembly votes (ENG-3): the roll fixed at opening, ballots, and each vote's
append-only RFC 9162 Merkle log with signed tree heads (docs/voting.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_votes import Art278Item, BallotStatus, Channel, VoteKind, VoteStatus
from linli.registry.choices import AreaSource


class Vote(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=32, unique=True)  # names the vote in its log and tree heads
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=VoteKind.choices, default=VoteKind.MATTER)
    art278_item = models.PositiveSmallIntegerField(_("民法典第二百七十八条事项"), choices=Art278Item.choices)
    seats = models.PositiveSmallIntegerField(_("应选人数"), default=0)
    candidates = models.JSONField(_("候选人"), default=list, blank=True)
    secret = models.BooleanField(_("无记名投票"), default=False)
    allow_replace = models.BooleanField(_("截止前可改票"), default=True)
    status = models.CharField(max_length=10, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The roll's totals, fixed at opening: area in hundredths of a ㎡ (exact arithmetic).
    total_area_centi = models.BigIntegerField(default=0)
    total_heads = models.PositiveIntegerField(default=0)
    leaf_count = models.PositiveIntegerField(default=0)
    # The log's right edge: the hashes of its complete subtrees, largest first, 32 bytes each, so
    # that an append reads nothing but this row (votes_merkle.extend).
    right_edge = models.BinaryField(default=b"", editable=False)
    public_key = models.CharField(max_length=64, blank=True)  # hex, raw Ed25519
    private_key = EncryptedTextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("业主大会表决")
        ordering = ["-id"]


class VoteElector(models.Model):
    """One head of the roll: the parts of one owner (or one set of co-owners), or all of the
    developer's parts, with their area. One ballot each."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electors")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    head_key = models.CharField(max_length=32)  # opaque, the same in every leaf of this head
    area_centi = models.BigIntegerField()
    developer = models.BooleanField(default=False)
    label = models.CharField(max_length=200)  # the parts, e.g. "1号楼-1-301、1号楼-1-302"
    designated_person_id = models.IntegerField(null=True, blank=True)  # co-owners' named voter

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["vote", "head_key"], name="vote_elector_head_unique")]


class VotePart(models.Model):
    elector = models.ForeignKey(VoteElector, on_delete=models.CASCADE, related_name="parts")
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="parts")
    house_id = models.IntegerField()
    label = models.CharField(max_length=80)
    area = models.DecimalField(max_digits=9, decimal_places=2)
    area_source = models.CharField(max_length=20, choices=AreaSource.choices)
    developer_held = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class VoteVoter(models.Model):
    """A person on the roll for an elector (an owner or a co-owner) when the vote opened."""

    elector = models.ForeignKey(VoteElector, on_delete=models.CASCADE, related_name="voters")
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="voters")
    person_id = models.IntegerField()
    user_id = models.IntegerField(null=True, blank=True)
    relation = models.CharField(max_length=20)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["vote", "user_id"])]


class VoteBallot(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    elector = models.ForeignKey(VoteElector, on_delete=models.CASCADE, related_name="ballots")
    person_id = models.IntegerField(null=True, blank=True)  # the owner it is for, when known
    channel = models.CharField(max_length=10, choices=Channel.choices)
    choice = models.JSONField()  # "for" | "against" | "abstain", or candidate indexes
    status = models.CharField(max_length=10, choices=BallotStatus.choices)
    number = models.CharField(max_length=32, unique=True)  # random: links a secret leaf to its receipt
    leaf_index = models.PositiveIntegerField(null=True, blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorisation = models.BinaryField(null=True, blank=True)  # a proxy's written authorisation
    authorisation_type = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        ordering = ["id"]
        constraints = [
            # The database's own guard against counting a head twice, whatever races.
            models.UniqueConstraint(
                fields=["elector"], condition=Q(status="valid"), name="vote_ballot_one_valid"
            ),
            models.UniqueConstraint(
                fields=["elector"], condition=Q(status="pending"), name="vote_ballot_one_pending"
            ),
        ]


class VoteLeaf(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="leaves")
    index = models.PositiveIntegerField()
    data = models.BinaryField()
    ballot = models.ForeignKey(VoteBallot, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["vote", "index"], name="vote_leaf_unique")]


class VoteNode(models.Model):
    """A complete subtree's hash, stored when its last leaf arrives (services/votes_merkle.py)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="vote_node_unique")]


class VoteTreeHead(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="tree_heads")
    size = models.PositiveIntegerField()
    root = models.CharField(max_length=64)  # hex
    timestamp = models.BigIntegerField()  # ms since the epoch
    signature = models.CharField(max_length=128)  # hex Ed25519 over the head's canonical bytes
    final = models.BooleanField(default=False)

    class Meta:
        ordering = ["size"]
        constraints = [models.UniqueConstraint(fields=["vote", "size"], name="vote_tree_head_unique")]

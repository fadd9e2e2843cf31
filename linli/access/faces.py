"""Face credentials on top of the face engine (linli.access.face): enrolment from a photo held
in memory only, and 1:N identification against the people granted at a point.

Without the `linli[face]` extra (dlib, numpy, Pillow) every face endpoint answers
`face_engine_unavailable` (503) and nothing else is affected.
"""

import base64
import binascii
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access.choices import CredentialKind, Reason
from linli.access.decide.grants import grants_at_point
from linli.access.face.engine import get_engine
from linli.access.face.errors import FaceEngineUnavailable, FaceQualityError
from linli.access.models import AccessPoint, ChangeLog, Credential
from linli.access.rights import ENDED_MEMORY
from linli.core.errors import ServiceError

MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _unavailable() -> ServiceError:
    return ServiceError("face_engine_unavailable", FaceEngineUnavailable.message, status=503)


def _matcher():
    try:
        from linli.access.face import matcher
    except ImportError:  # numpy is part of the face extra
        raise _unavailable() from None
    return matcher


def encode(vector) -> str:
    """base64 of the engine's wire format (128 float32, little-endian): stored and sent as is."""
    return base64.b64encode(_matcher().serialize(vector)).decode("ascii")


def decode(text: str):
    matcher = _matcher()
    bad = ServiceError(
        "invalid_embedding", _("人脸特征数据格式不正确"), fields={"embedding": _("应为128个float32的base64")}
    )
    try:
        vector = matcher.deserialize(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise bad from None
    if not matcher.np.all(matcher.np.isfinite(vector)):
        raise bad
    return vector


def _embed(image: bytes):
    try:
        return get_engine().embed(image).vector
    except FaceEngineUnavailable:
        raise _unavailable() from None


def embed_photo(image: bytes) -> str:
    """Enrolment: exactly one face, large and sharp enough, or a clear refusal (422)."""
    if not image or len(image) > MAX_PHOTO_BYTES:
        raise ServiceError(
            "face_image_invalid", _("请上传 10 MB 以内的照片"), fields={"photo": ""}, status=422
        )
    try:
        return encode(_embed(image))
    except FaceQualityError as exc:
        raise ServiceError(exc.code, exc.message, fields={"photo": exc.message}, status=422) from None


@dataclass
class Outcome:
    person_id: int | None
    reason: str
    detail: dict = field(default_factory=dict)


# --- 1:N identification at a point ---------------------------------------------------------

# Threshold (0.45) and margin over any other person (0.10) are the face engine's calibrated
# defaults (linli/access/face/matcher.py, docs/face.md); dlib's customary 0.6 is far too loose
# for a door.
INDEX_TTL_SECONDS = 60.0

_indexes: dict[int, tuple[int, float, object]] = {}
_index_lock = threading.Lock()
# The matcher's reasons as decision reasons (keys spelled out: the matcher needs numpy).
_REASONS = {
    "face_match": Reason.GRANTED,
    "face_unknown": Reason.FACE_NO_MATCH,
    "face_ambiguous": Reason.FACE_AMBIGUOUS,
}


def _version(community_id: int) -> tuple:
    """The community's newest change: its id and when it was written. The time too, because an
    id can come back: SQLite hands out the highest rowid again once that row is gone (a rolled
    back transaction, a pruned log), and the index cached for it would then be another's."""
    newest = (
        ChangeLog.objects.filter(community_id=community_id).order_by("-id").values_list("id", "at").first()
    )
    return newest or (0, None)


def _candidates(point: AccessPoint, now: datetime):
    """A FaceIndex of the people with a face and a grant reaching the point (live or lately ended)."""
    from linli.access.face.matcher import FaceIndex  # numpy: the face extra, optional

    # Grants that ended lately stay in: a former tenant's face is then recognised and refused
    # with the reason (grant_expired, source_ended), not reported as a stranger's.
    granted = (
        grants_at_point(point.pk, timezone.localdate(now))
        .filter(community_id=point.community_id)
        .exclude(valid_until__lte=now - ENDED_MEMORY)
        .values("person_id")
    )
    rows = Credential.objects.filter(
        community_id=point.community_id,
        kind=CredentialKind.FACE,
        revoked_at__isnull=True,
        person_id__in=granted,
    ).values_list("person_id", "embedding")
    people, vectors = [], []
    for person_id, embedding in rows:
        people.append(person_id)
        vectors.append(decode(embedding))
    return FaceIndex(people, vectors)


def index_for(point: AccessPoint, now: datetime):
    """Cached per point until the community's change log moves (an enrolment, a revocation) or
    a minute passes (grants that merely expired; the decision re-checks them anyway)."""
    version = _version(point.community_id)
    hit = _indexes.get(point.pk)
    if hit is not None and hit[0] == version and time.monotonic() - hit[1] < INDEX_TTL_SECONDS:
        return hit[2]
    index = _candidates(point, now)
    with _index_lock:
        _indexes[point.pk] = (version, time.monotonic(), index)
    return index


def match(index, vector) -> Outcome:
    """The nearest enrolled person, if near enough and clearly nearer than any other person."""
    result = index.match(vector)
    detail = {"candidates": len(index)}
    if len(index):
        detail["distance"] = round(result.distance, 3)
    if result.reason == "face_ambiguous":
        detail["runner_up"] = round(result.runner_up_distance, 3)
    return Outcome(result.person_id, _REASONS[result.reason], detail)


def identify(point: AccessPoint, *, image: bytes, embedding: str, now: datetime) -> Outcome:
    """A door's face decision: a frame (embedded here) or a terminal-computed embedding."""
    try:
        vector = decode(embedding) if embedding else _embed(image)
    except FaceQualityError as exc:
        return Outcome(None, Reason.FACE_UNUSABLE, {"code": exc.code})
    except ServiceError as exc:
        reason = (
            Reason.FACE_ENGINE_UNAVAILABLE if exc.code == "face_engine_unavailable" else Reason.FACE_UNUSABLE
        )
        return Outcome(None, reason, {"code": exc.code})
    return match(index_for(point, now), vector)

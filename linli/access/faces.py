"""Face credentials on top of the face engine (linli.access.face): enrolment from a photo held
in memory only, and 1:N identification against the people granted at a point.

Without the `linli[face]` extra (dlib, numpy, Pillow) every face endpoint answers
`face_engine_unavailable` (503) and nothing else is affected.
"""

import base64
import binascii
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from linli.access.face.engine import EMBEDDING_DIM, get_engine
from linli.access.face.errors import FaceEngineUnavailable, FaceQualityError
from linli.core.errors import ServiceError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
EMBEDDING_BYTES = EMBEDDING_DIM * 4


def _unavailable() -> ServiceError:
    return ServiceError("face_engine_unavailable", FaceEngineUnavailable.message, status=503)


def _numpy():
    try:
        import numpy
    except ImportError:
        raise _unavailable() from None
    return numpy


def encode(vector) -> str:
    """base64 of the 128 float32 values, little-endian: the stored and the wire format."""
    np = _numpy()
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def decode(text: str):
    np = _numpy()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != EMBEDDING_BYTES:
        raise ServiceError(
            "invalid_embedding",
            _("人脸特征数据格式不正确"),
            fields={"embedding": _("应为128个float32的base64")},
        )
    vector = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(vector)):
        raise ServiceError("invalid_embedding", _("人脸特征数据格式不正确"), fields={"embedding": ""})
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

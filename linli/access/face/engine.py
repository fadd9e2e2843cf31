"""The face engine interface and the registry that hands out the installed engine.

This module imports neither dlib nor numpy, so the platform can import it (and
catch ``FaceEngineUnavailable``) without the ``linli[face]`` extra.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from linli.access.face.errors import FaceEngineUnavailable

if TYPE_CHECKING:
    import numpy as np

EMBEDDING_DIM = 128


@dataclass(frozen=True, slots=True)
class FaceBox:
    """Detected face rectangle, in pixels of the image as it was uploaded."""

    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class FaceEmbedding:
    """One face turned into a vector; the photo itself is not kept.

    ``vector`` is a float32 array of ``EMBEDDING_DIM`` values as the ResNet emits
    it, deliberately *not* L2-normalised: the model was trained so that Euclidean
    distance in its raw output space separates people (dlib's 0.6 radius), and the
    matcher thresholds are calibrated in that space.
    """

    vector: np.ndarray
    box: FaceBox
    # image.sharpness() of the aligned face, kept so an enrolment screen can show
    # how much headroom the photo had over the blur threshold.
    sharpness: float


class FaceEngine(Protocol):
    def load(self) -> None:
        """Load the models now rather than on the first ``embed`` call."""

    def embed(self, image_bytes: bytes) -> FaceEmbedding:
        """Return the embedding of the single face in an encoded image.

        Raises a ``FaceQualityError`` subclass when the photo is unusable.
        """


_engine: FaceEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> FaceEngine:
    """Return the process-wide engine, or raise ``FaceEngineUnavailable``."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from linli.access.face.dlib_engine import DlibFaceEngine  # dlib: the face extra, optional
            except ImportError as exc:
                raise FaceEngineUnavailable() from exc
            _engine = DlibFaceEngine()
        return _engine

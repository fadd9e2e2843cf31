"""Face embedding and 1:N matching for door access (catalogue ACC-2, ACC-10).

Face support is the optional ``linli[face]`` extra. This package imports without
it: ``get_engine()`` then raises ``FaceEngineUnavailable``. The matcher needs
numpy, so it is imported from ``linli.access.face.matcher`` only where the extra
is known to be installed.
"""

from linli.access.face.engine import EMBEDDING_DIM, FaceBox, FaceEmbedding, FaceEngine, get_engine
from linli.access.face.errors import (
    FaceBlurry,
    FaceEngineUnavailable,
    FaceError,
    FaceImageInvalid,
    FaceMultiple,
    FaceNotFound,
    FaceQualityError,
    FaceTooSmall,
)

__all__ = [
    "EMBEDDING_DIM",
    "FaceBlurry",
    "FaceBox",
    "FaceEmbedding",
    "FaceEngine",
    "FaceEngineUnavailable",
    "FaceError",
    "FaceImageInvalid",
    "FaceMultiple",
    "FaceNotFound",
    "FaceQualityError",
    "FaceTooSmall",
    "get_engine",
]

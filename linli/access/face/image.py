"""Decoding uploaded photos in memory and measuring sharpness.

Nothing here touches the filesystem: the photo of a resident is personal data
and only its embedding is meant to outlive the request.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from linli.access.face.errors import FaceImageInvalid

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# Formats a phone, a browser or a door camera produce. Restricting the list keeps
# Pillow away from decoders that shell out or are rarely fuzzed (EPS, PSD, ...).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Longest side of the image the detector works on. Enrolment photos from phones
# (4000 px) shrink to this; a 640x480 door frame is left untouched. At 1024 px a
# face filling a quarter of the frame is still ~250 px, well above what the
# 150 px aligned chip needs.
WORKING_MAX_SIDE = 1024


@dataclass(frozen=True, slots=True)
class DecodedImage:
    rgb: np.ndarray  # HxWx3 uint8, C-contiguous, at working resolution
    # Multiply working-image coordinates by this to get uploaded-image coordinates.
    scale: float


def decode(image_bytes: bytes) -> DecodedImage:
    if len(image_bytes) > MAX_IMAGE_BYTES:
        raise FaceImageInvalid()
    try:
        image = Image.open(io.BytesIO(image_bytes), formats=ACCEPTED_FORMATS)
        # Checked on the header, before the pixels are decoded, so a small file
        # declaring a huge canvas cannot exhaust memory.
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise FaceImageInvalid()
        uploaded_side = max(image.size)
        # thumbnail() before anything else decodes the pixels: it lets the JPEG
        # decoder skip detail it would throw away (DCT scaling), which is most of
        # the cost of a 12 MP upload.
        image.thumbnail((WORKING_MAX_SIDE, WORKING_MAX_SIDE), Image.Resampling.BILINEAR)
        # Phones store portraits sideways plus an EXIF rotation, and the HOG
        # detector only finds upright faces.
        image = ImageOps.exif_transpose(image)
        rgb = np.asarray(image.convert("RGB"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # Truncated, corrupt or unsupported data all mean the same to the user.
        raise FaceImageInvalid() from exc
    # The longest side, unlike the width, survives the EXIF rotation unchanged.
    return DecodedImage(rgb=np.ascontiguousarray(rgb), scale=uploaded_side / max(rgb.shape[:2]))


def sharpness(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian over the variance of the grey levels.

    The Laplacian variance is the usual blur measure, but it scales with the
    square of the contrast, so on its own it calls every dim door frame blurry.
    Dividing by the image variance keeps only how much of the contrast sits in
    fine detail, which is what blur destroys.
    """
    g = gray.astype(np.float32)
    lap = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4.0 * g[1:-1, 1:-1]
    spread = float(g.var())
    return float(lap.var()) / spread if spread > 0 else 0.0

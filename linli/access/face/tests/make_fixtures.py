"""Regenerate the face fixtures from the two public-domain portraits.

Not run by the tests. It needs scikit-image and matplotlib, which are not
dependencies of linli; install them in a scratch environment:

    pip install scikit-image matplotlib pillow
    python linli/access/face/tests/make_fixtures.py
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.cbook
import skimage.data
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

FIXTURES = Path(__file__).parent / "fixtures"
QUALITY = 85


def save(image: Image.Image, name: str, quality: int = QUALITY) -> None:
    image.convert("RGB").save(FIXTURES / name, "JPEG", quality=quality, optimize=True)


def jpeg_roundtrip(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def altered_copies(image: Image.Image, person: str) -> None:
    """Same person, changed the ways a second photo of them would differ."""
    w, h = image.size
    save(
        image.rotate(8, resample=Image.Resampling.BICUBIC, fillcolor=(128, 128, 128)), f"{person}_rotated.jpg"
    )
    brighter = ImageEnhance.Brightness(image).enhance(1.3)
    save(ImageEnhance.Contrast(brighter).enhance(0.75), f"{person}_brightness.jpg")
    # Three generations of heavy compression, as a chat app forwarding a photo does.
    recompressed = image
    for quality in (40, 30, 25):
        recompressed = jpeg_roundtrip(recompressed, quality)
    save(recompressed, f"{person}_recompressed.jpg")
    # Off-centre crop scaled up a little: the face moves and grows ~10 %.
    crop = image.crop((int(w * 0.04), int(h * 0.02), int(w * 0.94), int(h * 0.90)))
    save(
        crop.resize((w, int(crop.height * w / crop.width)), Image.Resampling.LANCZOS),
        f"{person}_cropscaled.jpg",
    )
    save(ImageOps.mirror(image), f"{person}_mirrored.jpg")


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    astronaut = Image.fromarray(skimage.data.astronaut())  # 512x512
    hopper_path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    hopper = Image.open(hopper_path).convert("RGB")  # 512x600

    save(astronaut, "astronaut.jpg")
    save(hopper, "hopper.jpg")
    altered_copies(astronaut, "astronaut")
    altered_copies(hopper, "hopper")

    # Background only: the shuttle model and backdrop beside the astronaut.
    save(astronaut.crop((320, 0, 512, 300)), "no_face.jpg")

    # Both faces side by side at their native size, cropped above the suit's
    # mission patch (which the HOG detector half-believes is a face).
    left = astronaut.crop((90, 0, 390, 330))
    right = hopper.crop((90, 60, 450, 420))
    pair = Image.new("RGB", (left.width + right.width, right.height), (128, 128, 128))
    pair.paste(left, (0, 0))
    pair.paste(right, (left.width, 0))
    save(pair, "two_faces.jpg")

    # A door frame with the resident far away: a ~50 px face in 640x480.
    frame = Image.new("RGB", (640, 480), (118, 124, 130))
    small = hopper.resize((120, 140), Image.Resampling.LANCZOS)
    frame.paste(small, (260, 170))
    save(frame, "tiny_face.jpg")

    save(hopper.filter(ImageFilter.GaussianBlur(4)), "hopper_blurred.jpg")


if __name__ == "__main__":
    main()

"""The face engine on real public-domain portraits (linli/access/tests/fixtures) and altered copies."""

import io
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("dlib")
from PIL import Image, ImageFilter  # noqa: E402

from linli.access.face.engine import EMBEDDING_DIM, get_engine  # noqa: E402
from linli.access.face.errors import FaceQualityError  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def portrait(name: str) -> Image.Image:
    return Image.open(FIXTURES / name).convert("RGB")


def distance(a: bytes, b: bytes) -> float:
    engine = get_engine()
    return float(np.linalg.norm(engine.embed(a).vector - engine.embed(b).vector))


def test_it_embeds_one_face_into_128_floats_with_its_box():
    face = get_engine().embed(jpeg(portrait("astronaut.jpg")))
    assert face.vector.shape == (EMBEDDING_DIM,) and face.vector.dtype == np.float32
    assert face.box.width >= 80 and face.sharpness > 60


def test_it_keeps_the_same_person_close_and_different_people_far():
    astronaut = portrait("astronaut.jpg")
    original = jpeg(astronaut)
    altered = [
        jpeg(astronaut.rotate(6, fillcolor=(0, 0, 0))),
        jpeg(Image.eval(astronaut, lambda v: min(255, int(v * 1.25)))),
        jpeg(astronaut.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
        jpeg(astronaut.resize((astronaut.width * 3 // 4, astronaut.height * 3 // 4))),
    ]
    same = [distance(original, other) for other in altered]
    different = distance(original, jpeg(portrait("grace_hopper.jpg")))
    assert max(same) < 0.3 < 0.55 < different


@pytest.mark.parametrize(
    ("code", "make"),
    [
        ("face_not_found", lambda a, g: Image.new("RGB", (400, 300), (120, 130, 140))),
        ("face_too_small", lambda a, g: a.resize((90, 90))),
        ("face_blurry", lambda a, g: a.filter(ImageFilter.GaussianBlur(3))),
        ("face_multiple", lambda a, g: _side_by_side(a, g)),
    ],
)
def test_it_refuses_unusable_photos_with_a_stable_code(code, make):
    image = make(portrait("astronaut.jpg"), portrait("grace_hopper.jpg"))
    with pytest.raises(FaceQualityError) as info:
        get_engine().embed(jpeg(image))
    assert info.value.code == code
    assert str(info.value.message)  # a message for the person at the camera


def test_it_refuses_bytes_that_are_not_an_image():
    with pytest.raises(FaceQualityError) as info:
        get_engine().embed(b"%PDF-1.4 not a photo")
    assert info.value.code == "face_image_invalid"


def _side_by_side(a: Image.Image, b: Image.Image) -> Image.Image:
    h = min(a.height, b.height)
    a = a.resize((a.width * h // a.height, h))
    b = b.resize((b.width * h // b.height, h))
    canvas = Image.new("RGB", (a.width + b.width, h))
    canvas.paste(a, (0, 0))
    canvas.paste(b, (a.width, 0))
    return canvas

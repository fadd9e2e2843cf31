"""The face engine on public-domain portraits and their altered copies (fixtures/README.txt)."""

import io
import itertools
import sys
from pathlib import Path

import pytest

from linli.access.face import engine as engine_module
from linli.access.face.errors import FaceEngineUnavailable, FaceQualityError

FIXTURES = Path(__file__).parent / "fixtures"
PEOPLE = ("astronaut", "hopper")
ALTERATIONS = ("rotated", "brightness", "recompressed", "cropscaled", "mirrored")


@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("dlib")
    return engine_module.get_engine()


@pytest.fixture(scope="module")
def vectors(engine):
    """Embedding of every usable fixture, computed once for the module."""
    names = [*PEOPLE, *(f"{p}_{a}" for p in PEOPLE for a in ALTERATIONS)]
    return {name: engine.embed(fixture(name)).vector for name in names}


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.jpg").read_bytes()


def encoded(image, fmt: str = "JPEG", **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def distance(a, b) -> float:
    import numpy as np

    return float(np.linalg.norm(a - b))


def test_it_embeds_one_face_into_128_float32_values(engine):
    from linli.access.face.dlib_engine import MIN_FACE_PX, MIN_SHARPNESS

    face = engine.embed(fixture("hopper"))
    assert face.vector.shape == (128,) and str(face.vector.dtype) == "float32"
    # The portrait's face sits around x=160..380, y=135..355 of the 512x600 image.
    assert 120 < face.box.left < 200 and 100 < face.box.top < 180
    assert face.box.width >= MIN_FACE_PX and face.sharpness >= MIN_SHARPNESS


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("alteration", ALTERATIONS)
def test_it_keeps_altered_copies_of_a_person_under_the_threshold(vectors, person, alteration):
    from linli.access.face.matcher import DEFAULT_THRESHOLD

    assert distance(vectors[person], vectors[f"{person}_{alteration}"]) < DEFAULT_THRESHOLD


def test_it_keeps_every_photo_of_one_person_above_the_threshold_from_the_other(vectors):
    from linli.access.face.matcher import DEFAULT_MARGIN, DEFAULT_THRESHOLD

    astronaut = [v for name, v in vectors.items() if name.startswith("astronaut")]
    hopper = [v for name, v in vectors.items() if name.startswith("hopper")]
    closest = min(distance(a, h) for a, h in itertools.product(astronaut, hopper))
    assert closest > DEFAULT_THRESHOLD + DEFAULT_MARGIN


def test_it_identifies_each_altered_copy_and_calls_the_unenrolled_person_unknown(vectors):
    from linli.access.face.matcher import FACE_MATCH, FACE_UNKNOWN, FaceIndex

    both = FaceIndex(["astronaut", "hopper"], [vectors["astronaut"], vectors["hopper"]])
    for person, alteration in itertools.product(PEOPLE, ALTERATIONS):
        result = both.match(vectors[f"{person}_{alteration}"])
        assert (result.reason, result.person_id) == (FACE_MATCH, person)

    only_astronaut = FaceIndex(["astronaut"], [vectors["astronaut"]])
    for alteration in ALTERATIONS:
        result = only_astronaut.match(vectors[f"hopper_{alteration}"])
        assert (result.reason, result.person_id) == (FACE_UNKNOWN, None)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("no_face", "face_not_found"),
        ("two_faces", "face_multiple"),
        ("tiny_face", "face_too_small"),
        ("hopper_blurred", "face_blurry"),
    ],
)
def test_it_refuses_each_unusable_fixture_with_its_code(engine, name, code):
    with pytest.raises(FaceQualityError) as info:
        engine.embed(fixture(name))
    assert info.value.code == code
    # str() is the code, so logging the error never needs Django settings.
    assert str(info.value) == code


def test_it_ignores_a_weak_false_face_beside_the_real_one(engine, vectors):
    from PIL import Image

    from linli.access.face.matcher import DEFAULT_THRESHOLD

    # At this scale the mission patch on her suit is detected as a face scoring 0.40.
    frame = Image.new("RGB", (640, 480), (126, 132, 138))
    frame.paste(Image.open(FIXTURES / "astronaut.jpg").resize((480, 480)), (80, 0))
    face = engine.embed(encoded(frame, quality=85))
    assert distance(face.vector, vectors["astronaut"]) < DEFAULT_THRESHOLD


def test_it_refuses_data_that_is_not_an_acceptable_image(engine):
    from PIL import Image

    from linli.access.face.image import MAX_IMAGE_BYTES

    portrait = Image.open(FIXTURES / "astronaut.jpg")
    candidates = {
        "not an image": b"%PDF-1.4 this is no photo",
        "truncated": fixture("astronaut")[:4000],
        "over 10 MB": b"\xff\xd8" + bytes(MAX_IMAGE_BYTES),
        # 48 megapixels declared by a file of a few kilobytes.
        "huge canvas": encoded(Image.new("1", (8000, 6000)), "PNG"),
        "format outside the allow-list": encoded(portrait, "GIF"),
    }
    for label, data in candidates.items():
        with pytest.raises(FaceQualityError) as info:
            engine.embed(data)
        assert info.value.code == "face_image_invalid", label


def test_it_does_not_call_a_dim_photo_blurry(engine, vectors):
    from PIL import Image, ImageEnhance

    from linli.access.face.matcher import DEFAULT_THRESHOLD

    dim = ImageEnhance.Brightness(Image.open(FIXTURES / "astronaut.jpg")).enhance(0.3)
    face = engine.embed(encoded(dim, quality=90))
    assert distance(face.vector, vectors["astronaut"]) < DEFAULT_THRESHOLD


def test_it_follows_the_exif_rotation_of_phone_photos(engine, vectors):
    from PIL import Image

    from linli.access.face.matcher import DEFAULT_THRESHOLD

    # Stored sideways; orientation 6 tells viewers to turn it 90 degrees clockwise.
    sideways = Image.open(FIXTURES / "hopper.jpg").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    face = engine.embed(encoded(sideways, quality=90, exif=exif.tobytes()))
    assert distance(face.vector, vectors["hopper"]) < DEFAULT_THRESHOLD


def test_it_shrinks_large_photos_and_reports_the_box_in_uploaded_pixels(engine, vectors):
    from PIL import Image

    from linli.access.face.matcher import DEFAULT_THRESHOLD

    original = engine.embed(fixture("hopper"))
    portrait = Image.open(FIXTURES / "hopper.jpg")
    big = portrait.resize((portrait.width * 5, portrait.height * 5), Image.Resampling.BICUBIC)
    face = engine.embed(encoded(big, quality=80))
    assert distance(face.vector, vectors["hopper"]) < DEFAULT_THRESHOLD
    assert abs(face.box.width - 5 * original.box.width) < 0.1 * 5 * original.box.width


def test_it_says_the_engine_is_unavailable_without_dlib(monkeypatch):
    monkeypatch.setattr(engine_module, "_engine", None)
    monkeypatch.delitem(sys.modules, "linli.access.face.dlib_engine", raising=False)
    monkeypatch.setitem(sys.modules, "dlib", None)  # makes `import dlib` fail
    with pytest.raises(FaceEngineUnavailable) as info:
        engine_module.get_engine()
    assert info.value.code == "face_engine_unavailable"


def test_it_says_the_engine_is_unavailable_without_the_model_files(monkeypatch):
    pytest.importorskip("dlib")
    from linli.access.face import dlib_engine

    monkeypatch.setattr(dlib_engine.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FaceEngineUnavailable):
        dlib_engine.DlibFaceEngine()

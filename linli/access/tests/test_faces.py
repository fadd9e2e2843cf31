"""ACC-10 / decisions by face: enrolment with consent from a photo held in memory, 1:N matching
at a door among the people granted there, strict threshold and margin, quality refusals."""

import base64
import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from linli.access import faces, services
from linli.access.models import Credential, FaceConsent, SecurityEvent

pytest.importorskip("dlib", reason="the linli[face] extra is not installed")
Image = pytest.importorskip("PIL.Image")
from PIL import ImageEnhance  # noqa: E402  (only with the face extra)

from linli.access.face.matcher import DEFAULT_THRESHOLD  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def photo(name: str, change=None, quality: int = 85) -> bytes:
    image = Image.open(FIXTURES / name).convert("RGB")
    if change is not None:
        image = change(image)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def enrol(api, actor, person, name, **consent):
    data = {"consent_by": person.name, "consent_method": "app", **consent}
    return api(actor).client.post(
        f"/api/v1/access/people/{person.id}/face", {**data, "photo": io.BytesIO(photo(name))}
    )


def face_at(api, site, image: bytes, terminal="door"):
    body = {"method": "face", "image": base64.b64encode(image).decode()}
    r = api(token=site.token(terminal)).post("/access/decide", body)
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def enrolled(world, site, api):
    assert enrol(api, world.owner, world.owner_person, "astronaut.jpg").status_code == 201
    assert enrol(api, world.owner, world.tenant_person, "grace_hopper.jpg").status_code == 201


def test_it_enrols_with_consent_and_keeps_only_an_encrypted_embedding(world, site, api):
    r = enrol(api, world.owner, world.owner_person, "astronaut.jpg")
    assert r.status_code == 201, r.content
    consent = FaceConsent.objects.get(person=world.owner_person)
    assert (consent.consent_by, consent.method, consent.withdrawn_at) == ("王建国", "app", None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT embedding FROM access_credential WHERE kind = 'face'")
        stored = cursor.fetchone()[0]
    plain = Credential.objects.get(kind="face").embedding
    assert stored != plain and len(base64.b64decode(plain)) == 512
    missing = enrol(api, world.owner, world.owner_person, "astronaut.jpg", consent_by="")
    assert missing.status_code == 400 and missing.json()["code"] == "consent_required"


def test_it_recognises_altered_photos_of_the_same_person(world, site, api, enrolled):
    brighter = photo("astronaut.jpg", lambda im: ImageEnhance.Brightness(im).enhance(1.3))
    owner = face_at(api, site, brighter)
    assert (owner["allow"], owner["person"]["id"]) == (True, world.owner_person.id)
    assert owner["detail"]["distance"] < DEFAULT_THRESHOLD
    rotated = photo("grace_hopper.jpg", lambda im: im.rotate(6), quality=40)
    assert face_at(api, site, rotated)["person"]["id"] == world.tenant_person.id


def test_it_matches_only_people_granted_at_the_point(world, site, api, enrolled):
    refused = face_at(api, site, photo("astronaut.jpg"), terminal="other_door")
    assert (refused["allow"], refused["reason"], refused["detail"]["candidates"]) == (
        False,
        "face_no_match",
        0,
    )


def test_it_refuses_an_unknown_face_and_raises_a_security_event(world, site, api):
    enrol(api, world.owner, world.owner_person, "astronaut.jpg")
    stranger = face_at(api, site, photo("grace_hopper.jpg"))
    assert (stranger["allow"], stranger["reason"]) == (False, "face_no_match")
    assert stranger["detail"]["distance"] > 0.6
    assert SecurityEvent.objects.filter(point=site.door, kind="unknown_face").exists()


def test_it_accepts_an_embedding_computed_on_the_terminal(world, site, api, enrolled):
    vector = faces.encode(faces.get_engine().embed(photo("astronaut.jpg", lambda im: im.transpose(0))).vector)
    r = api(token=site.token("door")).post("/access/decide", {"method": "face", "embedding": vector})
    assert r.json()["person"]["id"] == world.owner_person.id
    bad = api(token=site.token("door")).post("/access/decide", {"method": "face", "embedding": "AAAA"})
    assert bad.json()["reason"] == "face_unusable"


def test_it_refuses_bad_photos_with_a_clear_message(world, site, api):
    def post(image: bytes):
        return api(world.owner).client.post(
            f"/api/v1/access/people/{world.owner_person.id}/face",
            {"consent_by": "王建国", "consent_method": "app", "photo": io.BytesIO(image)},
        )

    astronaut = Image.open(FIXTURES / "astronaut.jpg").convert("RGB")
    both = Image.new("RGB", (640, 320))
    both.paste(astronaut, (0, 0))
    both.paste(Image.open(FIXTURES / "grace_hopper.jpg").convert("RGB"), (320, 0))
    cases = {
        "face_not_found": Image.new("RGB", (320, 320), (120, 130, 140)),
        "face_multiple": both,
        "face_too_small": astronaut.resize((90, 90)),
    }
    for code, image in cases.items():
        out = io.BytesIO()
        image.save(out, "JPEG")
        r = post(out.getvalue())
        assert (r.status_code, r.json()["code"]) == (422, code)
        assert r.json()["message"]
    assert not Credential.objects.filter(kind="face").exists()
    frame = face_at(api, site, photo("astronaut.jpg", lambda im: im.resize((90, 90))))
    assert (frame["reason"], frame["detail"]["code"]) == ("face_unusable", "face_too_small")


def test_it_deletes_a_face_when_consent_is_withdrawn(world, site, api, enrolled):
    assert api(world.outsider).delete(f"/access/people/{world.owner_person.id}/face").status_code == 404
    assert api(world.owner).delete(f"/access/people/{world.owner_person.id}/face").status_code == 204
    assert face_at(api, site, photo("astronaut.jpg"))["reason"] == "face_no_match"
    assert FaceConsent.objects.get(person=world.owner_person).withdrawn_at is not None
    card = services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="F0CA0001")
    assert card.kind == "card"  # card and PIN remain for whoever refuses face


def test_it_keeps_others_out_of_someones_face(world, site, api):
    assert enrol(api, world.outsider, world.owner_person, "astronaut.jpg").status_code == 404
    assert enrol(api, world.neighbour, world.owner_person, "astronaut.jpg").status_code == 404
    assert enrol(api, world.tenant, world.owner_person, "astronaut.jpg").status_code in (403, 404)


def test_it_answers_face_engine_unavailable_without_the_extra():
    """Runs where dlib cannot be imported (as without linli[face]): face endpoints say so."""
    code = (
        "import sys; sys.modules['dlib'] = None\n"
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'linli.settings'); django.setup()\n"
        "from linli.access import faces\n"
        "from linli.core.errors import ServiceError\n"
        "try:\n    faces.embed_photo(b'x')\nexcept ServiceError as e:\n    print(e.code, e.status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["face_engine_unavailable", "503"]


class _Undone(Exception):
    pass


def test_a_cached_face_index_is_not_taken_for_another_when_a_change_id_comes_back(world, site, api):
    """SQLite gives a rolled-back row's id out again: the index cached at that change must not be
    served for the new change that now carries the same id."""
    with contextlib.suppress(_Undone), transaction.atomic():
        assert enrol(api, world.owner, world.owner_person, "astronaut.jpg").status_code == 201
        assert face_at(api, site, photo("astronaut.jpg"))["person"]["id"] == world.owner_person.id
        raise _Undone
    assert enrol(api, world.owner, world.tenant_person, "grace_hopper.jpg").status_code == 201
    seen = face_at(api, site, photo("grace_hopper.jpg"))
    assert (seen["allow"], seen["person"]["id"]) == (True, world.tenant_person.id)

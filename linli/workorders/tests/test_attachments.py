"""Photos and videos of a request: EXIF (with its GPS position) never reaches the stored file,
the position is kept only when the reporter shares it, and what is not a photo or a short video
is refused with nothing written — through the API, as the app uploads."""

import io

import pytest
from PIL import ExifTags, Image

from linli.testing import workorders as wo
from linli.workorders.models import Attachment
from linli.workorders.services import attachments

BEIJING = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}


def _photo_with_gps(size=(120, 80)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = BEIJING
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _upload(client, request_id: int, data: bytes, **fields):
    return client.client.post(
        f"/api/v1/workorders/requests/{request_id}/attachments", {"file": io.BytesIO(data), **fields}
    )


def _stored(attachment_id: int) -> Image.Image:
    return Image.open(io.BytesIO(attachments.read(Attachment.objects.get(pk=attachment_id))))


@pytest.mark.django_db
def test_exif_and_its_position_are_gone_unless_shared(world, api):
    order = wo.report(world, wo.crew(world))
    owner = api(world.owner)
    assert (
        Image.open(io.BytesIO(_photo_with_gps())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    )  # the input has it

    kept = _upload(owner, order.pk, _photo_with_gps())
    assert kept.status_code == 201, kept.content
    assert (kept.json()["latitude"], kept.json()["longitude"]) == (None, None)
    assert dict(_stored(kept.json()["id"]).getexif()) == {}

    shared = _upload(owner, order.pk, _photo_with_gps(), share_location="true").json()
    assert shared["latitude"] == pytest.approx(39.9075, abs=1e-4)
    assert shared["longitude"] == pytest.approx(116.3881, abs=1e-4)
    assert dict(_stored(shared["id"]).getexif()) == {}  # kept on the row for staff, not in the file


@pytest.mark.django_db
def test_a_large_photo_is_scaled_down_and_a_video_kept(world, api):
    order = wo.report(world, wo.crew(world))
    owner = api(world.owner)
    big = _upload(owner, order.pk, _photo_with_gps(size=(4000, 3000))).json()
    assert max(_stored(big["id"]).size) == attachments.LONG_SIDE
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    r = _upload(owner, order.pk, video, stage="report")
    assert r.status_code == 201 and r.json()["content_type"] == "video/mp4"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<script>alert(1)</script>", "unsupported_file"),
        (b"GIF89a" + b"\x00" * 50, "unsupported_file"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "unsupported_file"),  # a JPEG header and nothing else
        (b"\x00" * (attachments.MAX_PHOTO_BYTES + 1), "file_too_large"),
    ],
)
def test_what_is_not_a_photo_is_refused_and_nothing_written(world, api, data, code):
    order = wo.report(world, wo.crew(world))
    r = _upload(api(world.owner), order.pk, data)
    assert r.status_code == 400 and r.json()["code"] == code
    assert not Attachment.objects.filter(request=order).exists()


@pytest.mark.django_db
def test_only_the_reporter_or_the_assignee_uploads_and_only_twelve(world, api):
    order = wo.report(world, wo.crew(world))
    photo = _photo_with_gps()
    assert _upload(api(world.neighbour), order.pk, photo).status_code == 404
    assert _upload(api(world.front_desk), order.pk, photo).status_code == 404  # sees it, not theirs
    assert _upload(api(world.technician), order.pk, photo, stage="before").status_code == 201
    owner = api(world.owner)
    for _ in range(attachments.PER_REQUEST - 1):
        assert _upload(owner, order.pk, photo).status_code == 201
    r = _upload(owner, order.pk, photo)
    assert r.status_code == 400 and r.json()["code"] == "too_many_files"

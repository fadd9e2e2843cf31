"""Photos and videos of a request (item 1).

A photo is decoded and re-encoded as JPEG (at most 2048 px on its long side, turned upright by
its EXIF orientation first): whatever the upload carried besides pixels — EXIF with its GPS
position, comments, a script disguised as an image — is gone. When the reporter chooses to
share where they took it, the position is read from the EXIF before it goes and kept on the
attachment, visible to staff. A video is kept as sent after its container is checked (MP4 or
QuickTime) and its size is within the limit. Files live under `VAR_DIR/media/workorders/`,
named by a random token, and are served only through the API to those who may see the request.
"""

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.workorders.choices import Stage
from linli.workorders.models import Attachment, Request

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is a decompression bomb
LONG_SIDE = 2048
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
VIDEO_BRANDS = (b"ftyp",)
PER_REQUEST = 12


def media_root() -> Path:
    return Path(settings.VAR_DIR) / "media" / "workorders"


def _too_large(limit: int) -> ServiceError:
    return ServiceError(
        "file_too_large",
        _("文件不能超过%(mb)sMB") % {"mb": limit // (1024 * 1024)},
        fields={"file": _("文件过大")},
    )


def _not_media() -> ServiceError:
    return ServiceError(
        "unsupported_file",
        _("只能上传照片(JPEG/PNG/WebP)或视频(MP4/MOV)"),
        fields={"file": _("文件类型不支持")},
    )


def _gps(image: Image.Image) -> tuple[float, float] | None:
    info = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat, lat_ref, lng, lng_ref = info[2], info[1], info[4], info[3]
        to_deg = lambda v: float(v[0]) + float(v[1]) / 60 + float(v[2]) / 3600  # noqa: E731
        lat_deg = to_deg(lat) * (-1 if lat_ref == "S" else 1)
        lng_deg = to_deg(lng) * (-1 if lng_ref == "W" else 1)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return round(lat_deg, 6), round(lng_deg, 6)


def reencode_photo(data: bytes) -> tuple[bytes, tuple[float, float] | None]:
    """The photo as a clean JPEG, and the GPS position its EXIF carried (if any)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise _not_media()
            if probe.width * probe.height > MAX_PIXELS:
                raise ServiceError("image_too_large", _("照片像素过大"), fields={"file": _("像素过大")})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            position = _gps(image)
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_media() from None
    upright.thumbnail((LONG_SIDE, LONG_SIDE))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85, optimize=True)  # no exif= : nothing of the original's
    return out.getvalue(), position


def _is_video(data: bytes) -> bool:
    return len(data) > 12 and data[4:8] in VIDEO_BRANDS


@transaction.atomic
def do_attach(
    *, actor: Actor, request: Request, data: bytes, stage: str, share_location: bool = False
) -> Attachment:
    """Adds a photo or video; the caller has checked that `actor` may act on the request."""
    if stage not in Stage.values:
        raise ServiceError("invalid_stage", _("照片阶段无效"), fields={"stage": stage})
    if request.attachments.count() >= PER_REQUEST:
        raise ServiceError("too_many_files", _("每个工单最多上传%(n)s个文件") % {"n": PER_REQUEST})
    if _is_video(data):
        if len(data) > MAX_VIDEO_BYTES:
            raise _too_large(MAX_VIDEO_BYTES)
        content, content_type, suffix, position = data, "video/mp4", "mp4", None
    else:
        if len(data) > MAX_PHOTO_BYTES:
            raise _too_large(MAX_PHOTO_BYTES)
        content, position = reencode_photo(data)
        content_type, suffix = "image/jpeg", "jpg"
    name = f"{request.community_id}/{secrets.token_hex(16)}.{suffix}"
    path = media_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    kept = position if share_location else None
    attachment = Attachment.objects.create(
        request=request,
        community_id=request.community_id,
        stage=stage,
        content_type=content_type,
        size=len(content),
        path=name,
        uploaded_by=actor,
        latitude=kept[0] if kept else None,
        longitude=kept[1] if kept else None,
    )
    audit.record(actor=actor, action="workorder_attached", obj=attachment, community_id=request.community_id)
    return attachment


def read(attachment: Attachment) -> bytes:
    return (media_root() / attachment.path).read_bytes()

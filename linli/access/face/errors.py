"""Errors raised by the face engine.

Every error carries a stable machine ``code`` (what API clients and the audit log
key on) and a lazily translated ``message`` for the person in front of the camera.
The exception's own ``str()`` is the code, never the translation, so logging or
re-raising one never needs Django settings or an active language.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FaceError(Exception):
    # Subclasses set both; the base class is only for ``except FaceError``.
    code: str
    message: Promise

    def __init__(self) -> None:
        super().__init__(self.code)


class FaceEngineUnavailable(FaceError):
    """dlib or the model files are missing: the ``linli[face]`` extra is not installed."""

    code = "face_engine_unavailable"
    message = _("人脸识别引擎未安装，请联系管理员。")


class FaceQualityError(FaceError):
    """The photo cannot give a trustworthy embedding; the person can retake it."""


class FaceImageInvalid(FaceQualityError):
    code = "face_image_invalid"
    message = _("无法读取该图片，请上传 10 MB 以内的 JPEG、PNG 或 WebP 照片。")


class FaceNotFound(FaceQualityError):
    code = "face_not_found"
    message = _("未检测到人脸，请正对镜头并保持光线充足。")


class FaceMultiple(FaceQualityError):
    code = "face_multiple"
    message = _("检测到多张人脸，请确保画面中只有一人。")


class FaceTooSmall(FaceQualityError):
    code = "face_too_small"
    message = _("人脸太小，请靠近镜头。")


class FaceBlurry(FaceQualityError):
    code = "face_blurry"
    message = _("照片太模糊，请保持不动后重试。")

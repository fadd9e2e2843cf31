"""One error shape for every API answer: {"code", "message", "fields"} (convention 6)."""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """Raised by services on bad input or a refused action; nothing was written."""

    status = 400

    def __init__(self, code: str, message, *, fields: dict | None = None, status: int | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class NotFound(ServiceError):
    status = 404

    def __init__(self, message=None):
        super().__init__("not_found", message or _("对象不存在或您无权查看"))


class Forbidden(ServiceError):
    status = 403

    def __init__(self, message=None, code: str = "forbidden"):
        super().__init__(code, message or _("您没有执行此操作的权限"))


class Conflict(ServiceError):
    status = 409

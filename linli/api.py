"""The /api/v1/ root: auth, the error shape, and each app's router."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from linli.accounts.auth import TokenAuth
from linli.core.errors import ServiceError

api = NinjaAPI(
    title="linli API",
    version="1",
    description="邻里智慧社区平台 API. Errors: {code, message, fields}.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", [])]
        # ("body", "<param>", "field", ...) or ("query", "field"): keep what names the field
        loc = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        fields[".".join(loc) or "_"] = item.get("msg", "")
    return error(request, 422, "invalid_input", _("提交的数据有误，请检查后重试"), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "not_authenticated", _("请先登录"))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("对象不存在或您无权查看"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.status_code, "http_error", str(exc))


def _mount() -> None:
    from linli.accounts.api import router as accounts_router
    from linli.core.api import router as core_router
    from linli.notify.api import router as notify_router
    from linli.registry.api import router as registry_router

    api.add_router("", core_router)
    api.add_router("", registry_router)
    api.add_router("", accounts_router)
    api.add_router("", "linli.accounts.api_staff.router")
    api.add_router("", notify_router)
    api.add_router("", "linli.registry.api_io.router")
    api.add_router("", "linli.access.api.api_router")


_mount()

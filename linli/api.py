"""The /api/v1/ root: auth, the request parser, the error shape, and each app's router."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from linli.accounts.api import router as accounts_router
from linli.accounts.api_staff import router as staff_router
from linli.accounts.auth import TokenAuth
from linli.core.api import router as core_router
from linli.core.errors import MalformedBody, ServiceError, field_errors
from linli.core.parser import EdgeParser
from linli.notify.api import router as notify_router
from linli.registry.api import router as registry_router

# Every operation may answer these, always with the error shape (docs/api.md lists the codes).
ERROR_STATUSES = {
    "400": "Bad input: a service rule (its own code) or `malformed_body`",
    "401": "`not_authenticated`",
    "403": "`forbidden` or another refusal code, `csrf_failed`",
    "404": "`not_found`: missing or outside your scope",
    "409": "A conflict (its own code)",
    "412": "`stale_object`",
    "415": "`unsupported_media_type`",
    "422": "`invalid_input`: `fields` names each bad field",
    "429": "Too many attempts (with Retry-After)",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["code", "message", "fields"],
}


class LinliAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        spec = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in spec["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return spec

    def validation_error_from_error_contexts(self, error_contexts):
        """Ninja drops each error's input; keep whether it was `null`, to say so in the message."""
        nulls = [
            e.get("input", "") is None
            for context in error_contexts
            for e in context.pydantic_validation_error.errors(include_url=False)
        ]
        error = super().validation_error_from_error_contexts(error_contexts)
        for item, was_null in zip(error.errors, nulls, strict=True):
            item["null"] = was_null
        return error


api = LinliAPI(
    title="linli API",
    version="1",
    description="邻里智慧社区平台 API. Errors: {code, message, fields}; codes in docs/api.md.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    parser=EdgeParser(),
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
        loc = list(item.get("loc", ()))
        # ("body", "<param>", "field", ...) or ("query", "field"): keep what names the field
        skip = 2 if loc[:1] == ["body"] else 1
        for name, message in field_errors([item], skip=skip).items():
            fields.setdefault(name, message)
    return error(request, 422, "invalid_input", _("提交的数据有误，请检查后重试"), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "not_authenticated", _("请先登录"))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("对象不存在或您无权查看"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    """Ninja's own refusals, each with our code and a message in the user's language."""
    if isinstance(exc.__cause__, ServiceError):  # raised by EdgeParser, wrapped by Ninja
        return on_service_error(request, exc.__cause__)
    if exc.status_code == 400:  # "Cannot parse request body": whatever the parser failed on
        return on_service_error(request, MalformedBody())
    if exc.status_code == 403:  # "CSRF check Failed": a session request without its token
        return error(request, 403, "csrf_failed", _("页面已过期，请刷新后重试"))
    return error(request, exc.status_code, "bad_request", _("请求无法处理"))


def _mount() -> None:
    api.add_router("", core_router)
    api.add_router("", registry_router)  # with accounts' POST /communities (api_staff, imported above)
    api.add_router("", accounts_router)
    api.add_router("", staff_router)
    api.add_router("", notify_router)
    api.add_router("", "linli.registry.api_io.router")
    api.add_router("", "linli.access.api.api_router")
    api.add_router("", "linli.channels.api.router")
    api.add_router("/billing", "linli.billing.api.router")
    api.add_router("/workorders", "linli.workorders.api.router")
    api.add_router("/workorders", "linli.workorders.api_patrols.router")
    api.add_router("/workorders", "linli.workorders.api_open311.router")
    api.add_router("/iot", "linli.iot.api.router")
    api.add_router("/engage", "linli.engage.api_votes.router")
    api.add_router("/engage", "linli.engage.api_surveys.router")
    api.add_router("/engage", "linli.engage.api_activities.router")
    api.add_router("/engage", "linli.engage.api_notices.router")
    api.add_router("/engage", "linli.engage.api_proposals.router")
    api.add_router("/engage", "linli.engage.api_points.router")
    api.add_router("/engage", "linli.engage.api_convention.router")
    api.add_router("/services", "linli.services.api.router")
    api.add_router("/services", "linli.services.api_fitness.router")
    api.add_router("/parking", "linli.parking.api.router")
    api.add_router("/dashboards", "linli.dashboards.api_map.router")
    api.add_router("/dashboards", "linli.dashboards.api_gov.router")
    api.add_router("/sharing", "linli.dashboards.api_sharing.router")  # city systems' own tokens


_mount()

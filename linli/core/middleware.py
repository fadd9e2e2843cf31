from django.conf import settings

from linli.core.context import new_request_id, request_id_var


class RequestIdMiddleware:
    """Tags each request with an id that lands in the audit trail and the response headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        rid = incoming[:40] if incoming.isalnum() else new_request_id()
        request.request_id = rid  # for the lines Django logs once the response is out (django.request)
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = rid
        return response


class ContentSecurityPolicyMiddleware:
    """Adds settings.LINLI_CONTENT_SECURITY_POLICY to every HTML response (not to JSON or files,
    where it means nothing). A view that needs another policy sets the header itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.LINLI_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response

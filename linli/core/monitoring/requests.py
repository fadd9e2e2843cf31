"""Request latency by route: one histogram labelled by the URL pattern that served the request
(never the raw path, whose ids would make the labels unbounded), the method and the status class.

A streaming response (the event stream, file downloads) is timed to the moment the view hands
it over, when its headers go out: the time to the first byte. Its body may flow for minutes and
is not waited for, so a stream is neither held open nor counted as a five-minute request.
Requests the edge refuses before Django (413, 503 of linli.core.edge) and the terminals' door
decisions on their fast path do not pass here.
"""

import time

from prometheus_client import Histogram

UNMATCHED = "<unmatched>"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_SECONDS = Histogram(
    "linli_http_request_duration_seconds",
    "Time to answer a request (to the first byte for a stream), by URL route pattern.",
    ["route", "method", "status"],
)


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(route_of(request), method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response

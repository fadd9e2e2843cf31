"""The web side of signing in: what a view does after a sign-in service returned a user.

Web login pages (linli/web) call the services directly and then these helpers, so the API and
the web start and end sessions the same way.
"""

from django.contrib.auth import login, logout

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_ip(request) -> str:
    """The peer address. Behind a reverse proxy, linli.asgi sets REMOTE_ADDR from X-Forwarded-For
    when the proxy's address is in LINLI_FORWARDED_ALLOW_IPS; the header is not read here."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def start_session(request, user) -> None:
    """A fresh session id (no fixation) and `last_login` updated by Django's login signal."""
    login(request, user, backend=MODEL_BACKEND)


def end_session(request) -> None:
    logout(request)

"""The web side of signing in: what a view does after a sign-in service returned a user.

Web login pages (linli/web) call the services directly and then these helpers, so the API and
the web start and end sessions the same way.
"""

from django.contrib.auth import login, logout

from linli.accounts.services import do_request_sms_code
from linli.core.errors import ServiceError
from linli.core.shell.common import show_service_error

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


def send_sign_in_code(request, form) -> str | None:
    """The phone step of every SMS sign-in (web's sign-in page, channels' WeChat binding): a valid
    phone is sent a code by accounts' one mechanism. The phone, or None with the form's errors."""
    if not form.is_valid():
        return None
    phone = form.cleaned_data["phone"]
    try:
        do_request_sms_code(phone=phone, ip=client_ip(request))
    except ServiceError as exc:
        show_service_error(form, exc)
        return None
    return phone

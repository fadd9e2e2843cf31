"""Display preferences read on every page: elderly mode from the account, or a cookie before sign-in."""

ELDERLY_COOKIE = "linli_elderly"
COOKIE_MAX_AGE = 365 * 24 * 3600


def elderly_mode(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elderly_mode)
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"

"""The platform's ASGI application: Django, with the terminals' decision fast path in front
(POST /api/v1/access/decide skips the browser-oriented middleware; see docs/terminals.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
django_application = get_asgi_application()

from linli.access.decide.asgi import TerminalFastPath  # noqa: E402  (needs the apps loaded above)

application = TerminalFastPath(django_application)

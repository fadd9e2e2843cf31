"""The application `linli serve` runs (docs/decisions/0005-serving.md).

Request/response views run on Django's WSGI handler in a pool of threads that keep their
database connections; async views (the event stream) on Django's ASGI handler; the edge in front
refuses what must not reach either (linli.core.edge). The terminals' door decisions take the
fast path in front of that (linli.access.decide.asgi, docs/decisions/0003-decision-fast-path.md).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from granian.utils.proxies import wrap_asgi_with_proxy_headers

from linli.access.decide.asgi import TerminalFastPath
from linli.core.edge import Edge

# Both handlers set Django up; the fast path and the edge read the settings and apps after that.
# `ordinary_route` is everything but the fast path: bench/access.py serves it to measure the
# decision through Django, the figure that decides whether the fast path still has a reason.
ordinary_route = Edge(wsgi=get_wsgi_application(), asgi=get_asgi_application())
platform = TerminalFastPath(ordinary_route)
# Behind a reverse proxy on a trusted address, the client's address and scheme are the ones it
# forwards (X-Forwarded-For, X-Forwarded-Proto): sign-in limits count per client, not per proxy.
application = wrap_asgi_with_proxy_headers(platform, settings.LINLI_FORWARDED_ALLOW_IPS)

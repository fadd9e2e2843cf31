"""The platform's ASGI application with the terminals' decision fast path in front:

    uvicorn linli.access.asgi:application

Everything except POST /api/v1/access/decide goes to linli.asgi unchanged.
"""

from linli.access.fastpath import TerminalFastPath
from linli.asgi import application as platform

application = TerminalFastPath(platform)

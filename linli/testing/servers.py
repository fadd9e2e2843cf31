"""For tests that run the platform's own processes against the test database."""

import socket
from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """The test database, for a server process to serve (what it should see must be committed:
    transactional_db)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'])}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

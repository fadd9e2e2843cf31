"""Settings a production install depends on, read from the environment as install.md sets it.

Each check runs in a fresh interpreter, because settings are read once at import.
"""

import json
import os
import subprocess
import sys

PROBE = """
import json, django
django.setup()
from django.test import Client
out = {}
for host in ("127.0.0.1:8000", "localhost", "linli.example.cn", "evil.example.com"):
    r = Client(HTTP_HOST=host).get("/api/v1/health", secure=True)
    out[host] = [r.status_code, r.headers.get("Strict-Transport-Security", "")]
print(json.dumps(out))
"""


def _probe(tmp_path, **env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    environ.update(LINLI_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="linli.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_it_answers_a_local_health_check_when_public_hosts_are_set(tmp_path):
    seen = _probe(tmp_path, LINLI_ALLOWED_HOSTS="linli.example.cn")
    assert seen["127.0.0.1:8000"][0] == 200
    assert seen["localhost"][0] == 200
    assert seen["linli.example.cn"][0] == 200
    assert seen["evil.example.com"][0] == 400


def test_it_sends_hsts_only_when_configured(tmp_path):
    assert _probe(tmp_path)["localhost"][1] == ""
    seen = _probe(tmp_path, LINLI_HSTS_SECONDS="31536000", LINLI_HSTS_INCLUDE_SUBDOMAINS="true")
    assert seen["localhost"][1] == "max-age=31536000; includeSubDomains"

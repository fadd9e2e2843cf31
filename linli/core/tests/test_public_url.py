"""One public address (LINLI_PUBLIC_URL) that follows the served port unless it is set."""

import json
import os
import subprocess
import sys

from linli.core.management.commands.serve import export_address
from linli.core.tests.test_serve import linli_env

PROBE = (
    "import json; from django.conf import settings; from linli.access import keys; "
    "print(json.dumps([settings.LINLI_PUBLIC_URL, settings.CSRF_TRUSTED_ORIGINS, keys.issuer(7)]))"
)


def settings_under(tmp_path, **env) -> list:
    unset = {"LINLI_PUBLIC_URL", "LINLI_PORT", "LINLI_HOST", "LINLI_CSRF_TRUSTED_ORIGINS"}
    environ = {k: v for k, v in linli_env(tmp_path).items() if k not in unset}
    environ.update(env)
    out = subprocess.run(
        [sys.executable, "-m", "linli", "shell", "-c", PROBE],
        env=environ,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_it_puts_the_served_port_in_pass_issuers_share_links_and_csrf_origins(tmp_path):
    url, origins, issuer = settings_under(tmp_path, LINLI_PORT="8101")
    assert url == "http://127.0.0.1:8101"
    assert origins == ["http://127.0.0.1:8101"]
    assert issuer == "http://127.0.0.1:8101/api/v1/communities/7"


def test_it_lets_an_explicit_public_url_win_over_the_port(tmp_path):
    url, origins, issuer = settings_under(
        tmp_path, LINLI_PORT="8101", LINLI_PUBLIC_URL="https://linli.example.cn/"
    )
    assert url == "https://linli.example.cn"
    assert origins == ["https://linli.example.cn"]
    assert issuer == "https://linli.example.cn/api/v1/communities/7"


def test_it_hands_serve_port_to_the_processes_it_starts(monkeypatch):
    monkeypatch.setenv("LINLI_PORT", "8000")  # restored after the test
    monkeypatch.setenv("LINLI_HOST", "127.0.0.1")
    export_address("0.0.0.0", 8102)  # `linli serve --host 0.0.0.0 --port 8102`
    assert (os.environ["LINLI_HOST"], os.environ["LINLI_PORT"]) == ("0.0.0.0", "8102")

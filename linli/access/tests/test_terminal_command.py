"""`linli terminal-sim` over real HTTP against a live server, as the demo uses it."""

import json
import socket
from io import StringIO

import pytest
from django.core.management import call_command

from linli.access import services
from linli.access.models import AccessEvent


def run(*args) -> dict:
    out = StringIO()
    call_command("terminal-sim", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_it_syncs_decides_buffers_offline_and_uploads_over_http(world, site, live_server, tmp_path):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="C0DE0001")
    common = ["--token", site.token("door"), "--state", str(tmp_path / "door.json")]
    online = ["--url", live_server.url, *common]
    assert run(*online, "sync")["full"] is True
    assert run(*online, "card", "C0DE0001")["allow"] is True
    down = ["--url", f"http://127.0.0.1:{closed_port()}", *common]
    offline = run(*down, "card", "C0DE0001")
    assert (offline["allow"], offline["offline"]) == (True, True)
    assert run(*common, "--offline", "card", "BADC0DE1")["allow"] is False
    assert run(*online, "status")["buffered"] == 2
    assert run(*online, "upload") == {"accepted": 2, "duplicates": 0}
    assert AccessEvent.objects.filter(offline=True).count() == 2
    assert AccessEvent.objects.filter(offline=False).count() == 1

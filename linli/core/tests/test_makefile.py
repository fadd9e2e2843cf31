"""`make install` runs pip again when what it would install changes, EXTRAS included."""

import re
import subprocess

from django.conf import settings


def _stamp(extras: str) -> str:
    done = subprocess.run(
        ["make", "-n", "-B", "install", f"EXTRAS={extras}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"touch (\S*\.linli-deps-\S+)", done.stdout).group(1)


def test_it_reinstalls_when_the_extras_change():
    assert _stamp("face") != _stamp("test,face")
    assert _stamp("face") == _stamp("face")

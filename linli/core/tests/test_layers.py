"""The layers of docs/architecture.md hold: the import-linter contracts in pyproject.toml pass
(`make lint` runs them too; here they also fail the suite that a developer runs first)."""

import subprocess
import sys

from django.conf import settings
from importlinter.cli import lint_imports


def test_it_keeps_every_import_going_down_the_layers():
    # no_cache: parallel test workers must not share import-linter's cache directory.
    assert lint_imports(config_filename=str(settings.BASE_DIR / "pyproject.toml"), no_cache=True) == 0


def test_the_server_can_load_the_platform_in_a_fresh_process():
    """A server imports the URLconf at its first request, in an order no test process follows
    (pytest has imported half of linli by then): an import cycle shows up only there."""
    script = "import django; django.setup(); import linli.urls; import linli.asgi"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]

"""The layers of docs/architecture.md hold: the import-linter contracts in pyproject.toml pass
(`make lint` runs them too; here they also fail the suite that a developer runs first)."""

from django.conf import settings
from importlinter.cli import lint_imports


def test_it_keeps_every_import_going_down_the_layers():
    # no_cache: parallel test workers must not share import-linter's cache directory.
    assert lint_imports(config_filename=str(settings.BASE_DIR / "pyproject.toml"), no_cache=True) == 0

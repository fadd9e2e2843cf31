import json
from pathlib import Path

import pytest

from linli.core import crypto
from linli.testing.backups import PASSPHRASE, UPLOAD, UPLOAD_BYTES


@pytest.fixture
def ring_file(settings, tmp_path):
    """A key ring in a file of its own, as production keeps it, so commands can rewrite it."""
    path = tmp_path / "keyring.json"
    path.write_text(json.dumps(crypto.keyring().to_json()))
    settings.LINLI_KEYRING = str(path)
    crypto.reset_keyring_cache()
    yield path
    crypto.reset_keyring_cache()


@pytest.fixture
def installation(settings, tmp_path, ring_file, monkeypatch) -> Path:
    """This test's var/ (its uploads, the restore's staging) with one upload, a key ring in a file
    and the backup passphrase in the environment."""
    settings.VAR_DIR = tmp_path / "var"
    upload = settings.VAR_DIR / UPLOAD
    upload.parent.mkdir(parents=True)
    upload.write_bytes(UPLOAD_BYTES)
    monkeypatch.setenv("LINLI_BACKUP_PASSPHRASE", PASSPHRASE)
    return settings.VAR_DIR

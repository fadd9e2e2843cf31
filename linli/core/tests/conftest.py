import json

import pytest

from linli.core import crypto


@pytest.fixture
def ring_file(settings, tmp_path):
    """A key ring in a file of its own, as production keeps it, so commands can rewrite it."""
    path = tmp_path / "keyring.json"
    path.write_text(json.dumps(crypto.keyring().to_json()))
    settings.LINLI_KEYRING = str(path)
    crypto.reset_keyring_cache()
    yield path
    crypto.reset_keyring_cache()

"""Test support for `linli backup` and `linli restore`: the passphrase, the upload of the
`installation` fixture (linli/core/tests/conftest.py), and the archive a backup writes."""

from pathlib import Path

from django.core.management import call_command

PASSPHRASE = "晴天 correct horse battery"
UPLOAD = Path("media/workorders/1/photo.jpg")
UPLOAD_BYTES = b"\xff\xd8 a photo"


def back_up(to: Path) -> Path:
    """`linli backup --to DIR`; the one archive it wrote."""
    call_command("backup", to=to)
    [archive] = to.glob("*.linlibackup")
    return archive

"""What residents and staff upload to engage (a notice's attachment, a proxy's written
authorisation): a PDF kept as sent, a photo re-encoded so that nothing of the upload but its
pixels survives (no EXIF, no GPS); anything else is refused. The type comes from the bytes, never
from what the client claimed."""

from linli.workorders.services.attachments import reencode_photo


def pdf_or_photo(data: bytes) -> tuple[bytes, str, str]:
    """(content to keep, its content type, its file suffix); raises ServiceError for the rest."""
    if data.startswith(b"%PDF-"):
        return data, "application/pdf", "pdf"
    content, _position = reencode_photo(data)
    return content, "image/jpeg", "jpg"

"""File answers shared by the API and the console (a device list's template, its tokens)."""

from django.http import HttpResponse

from linli.registry.io.sheets import XLSX


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

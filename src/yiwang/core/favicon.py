"""``/favicon.ico``: browsers ask for it at the root whatever the page links (pages link the SVG)."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent.parent / "static" / "yiwang" / "img" / "favicon.ico"


@require_safe
def favicon(request: HttpRequest) -> FileResponse:
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "platform_name": settings.YIWANG_PLATFORM_NAME,
        "elderly_mode": request.COOKIES.get("elderly") == "1",
        "demo_mode": settings.YIWANG_DEMO,
        # A province or city instance (docs/federation.md): 跨域通办 appears in the navigation.
        "federated": bool(settings.YIWANG_FEDERATION_ROLE),
    }

"""The platform's public address (``YIWANG_PUBLIC_URL``): every absolute link the platform writes
where no request is at hand — QR codes in PDFs, verification and share links, the /pki/ URLs in
seal certificates, links in SMS.  By default ``http://127.0.0.1:$PORT`` (settings); production
refuses to start without it.  Never ``build_absolute_uri`` for these: a PDF rendered by the task
worker has no request, and a link must not depend on which host name a request happened to use."""

from __future__ import annotations

from django.conf import settings


def public_base_url() -> str:
    return str(settings.YIWANG_PUBLIC_URL).rstrip("/")


def public_url(path: str = "") -> str:
    """``path`` (starting with ``/``) on the public address."""
    return f"{public_base_url()}{path}"

"""The kiosk's sessions: who is at the kiosk now, and the server-side idle guard.

A kiosk session is marked in the session (``kiosk``: the device, how the person logged in, and the
time of the last kiosk request).  It ends — logged out, session flushed — when nobody touched the
kiosk for :func:`idle_seconds` (checked on every kiosk page, whatever the browser's script did),
and the session's own expiry is set to the same time, so the platform's other pages drop it too.

A person whose card was read but who has no account (an unknown visitor) gets a guest kiosk
session: he may take a ticket or check in with his card, but sees no cases.  The card's ID number
is kept in the session encrypted (``core.keyring``), never in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest
from django.utils import timezone

from yiwang.accounts.models import AssuranceLevel, User
from yiwang.accounts.services.assurance import effective_assurance_level
from yiwang.accounts.services.login import record_login
from yiwang.core import audit
from yiwang.core.keyring import decrypt_text, encrypt_text
from yiwang.core.masking import mask_id_number, mask_name
from yiwang.kiosk.models import KioskDevice

KEY = "kiosk"
CARD_KEY = "kiosk_card"
LOGIN_CHANNEL = "kiosk"


def idle_seconds() -> int:
    """Server-side idle limit of a kiosk session (the page's script logs out after less)."""
    return int(getattr(settings, "YIWANG_KIOSK_IDLE_SECONDS", 180))


def script_idle_seconds() -> int:
    """When the page's script logs out an untouched kiosk (a countdown shows the last 15 s)."""
    return min(int(getattr(settings, "YIWANG_KIOSK_SCRIPT_IDLE_SECONDS", 90)), idle_seconds())


@dataclass(frozen=True)
class KioskVisitor:
    """Who stands at the kiosk: a logged-in person, a card-read guest, or nobody."""

    user: User | None = None
    via: str = ""
    card_name: str = ""
    card_id_number: str = ""
    assurance: int = AssuranceLevel.ANONYMOUS
    expired: bool = False

    @property
    def present(self) -> bool:
        return self.user is not None or bool(self.card_id_number)

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return mask_name(self.user.display_name or self.card_name or self.user.username)
        return mask_name(self.card_name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.card_id_number) if self.card_id_number else ""


def start(
    request: HttpRequest,
    device: KioskDevice,
    *,
    via: str,
    user: User | None = None,
    card_name: str = "",
    card_id_number: str = "",
) -> None:
    """Open a kiosk session (a fresh session key) for a person or a card-read guest."""
    if request.user.is_authenticated or KEY in request.session:
        logout(request)
    if user is not None:
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        record_login(user, succeeded=True, channel=LOGIN_CHANNEL, reason=via)
        # In front of the kiosk with the card in the reader: the level of an in-person card check
        # (中级) for this session, never above what the account itself has reached plus that.
        level = max(effective_assurance_level(user), AssuranceLevel.INTERMEDIATE if via == "card" else 0)
    else:
        request.session.cycle_key()
        level = AssuranceLevel.ANONYMOUS
    request.session[KEY] = {
        "device": str(device.public_id),
        "via": via,
        "seen": int(timezone.now().timestamp()),
        "assurance": int(level),
    }
    if card_id_number:
        request.session[CARD_KEY] = {"name": card_name, "id": encrypt_text(card_id_number)}
    request.session.set_expiry(idle_seconds())
    audit.record(
        "kiosk.session_started",
        actor=user,
        obj=device,
        detail={"via": via, "known": user is not None},
    )


def end(request: HttpRequest) -> None:
    """Log out and clear the whole session (the device cookie and display mode stay)."""
    logout(request)


def visitor(request: HttpRequest, device: KioskDevice) -> KioskVisitor:
    """Who is at ``device`` now; ends a session idle too long or started elsewhere."""
    marker: Any = request.session.get(KEY)
    if not isinstance(marker, dict):
        if request.user.is_authenticated:
            end(request)  # a portal session on a kiosk: never shown at the kiosk
        return KioskVisitor()
    now = int(timezone.now().timestamp())
    seen = marker.get("seen")
    if (
        marker.get("device") != str(device.public_id)
        or not isinstance(seen, int)
        or now - seen > idle_seconds()
    ):
        end(request)
        return KioskVisitor(expired=True)
    if now - seen >= 5:  # refresh the mark (and the session's expiry) at most every few seconds
        marker["seen"] = now
        request.session[KEY] = marker
        request.session.set_expiry(idle_seconds())
    card: Any = request.session.get(CARD_KEY) or {}
    id_number = ""
    if isinstance(card, dict) and card.get("id"):
        id_number = decrypt_text(str(card["id"]))
    user = request.user if request.user.is_authenticated else None
    return KioskVisitor(
        user=user,  # type: ignore[arg-type]
        via=str(marker.get("via", "")),
        card_name=str(card.get("name", "")) if isinstance(card, dict) else "",
        card_id_number=id_number,
        assurance=int(marker.get("assurance", 0)),
    )

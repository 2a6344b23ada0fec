"""Models of the self-service kiosk (自助终端)."""

from yiwang.kiosk.models.devices import KioskDevice
from yiwang.kiosk.models.login import KioskCardNonce, KioskLoginRequest

__all__ = ["KioskCardNonce", "KioskDevice", "KioskLoginRequest"]

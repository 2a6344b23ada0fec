"""Models of the self-service kiosk (自助终端)."""

__all__: list[str] = []

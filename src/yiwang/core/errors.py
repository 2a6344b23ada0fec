"""The one error shape of the platform: ``{"code": ..., "message": ..., "fields": {...}}``.

Each app declares a ``StrEnum`` of stable error codes and raises :class:`DomainError` (or a
subclass) from its services.  The API and the pages turn it into a 4xx with that shape.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class CoreErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    ASSURANCE_TOO_LOW = "assurance_too_low"  # the account's 实名 level is below what the action needs
    NOT_AUTHENTICATED = "not_authenticated"
    CONFLICT = "conflict"
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_CREDIT_CODE = "invalid_credit_code"
    INVALID_PHONE = "invalid_phone"
    CALENDAR_YEAR_MISSING = "calendar_year_missing"
    RATE_LIMITED = "rate_limited"
    AUDIT_CHAIN_BROKEN = "audit_chain_broken"
    REGION_DATA_MISSING = "region_data_missing"
    UNKNOWN_REGION_CODE = "unknown_region_code"


class DomainError(Exception):
    """A refusal the user can act on.  ``status`` is the HTTP status the edge should answer."""

    status: int = 400

    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        *,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "未找到", code: str = CoreErrorCode.NOT_FOUND) -> None:
        super().__init__(code, message)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "无权执行此操作", code: str = CoreErrorCode.PERMISSION_DENIED) -> None:
        super().__init__(code, message)


class Conflict(DomainError):
    status = 409

    def __init__(
        self, message: str, code: str = CoreErrorCode.CONFLICT, fields: dict[str, Any] | None = None
    ):
        super().__init__(code, message, fields)

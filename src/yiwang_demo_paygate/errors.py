"""The gateway's error answers: {"code", "message", "fields"} with an HTTP status."""

from __future__ import annotations


class GatewayError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


def bad_request(fields: dict[str, str]) -> GatewayError:
    return GatewayError(400, "bad_request", "请求参数不正确", fields)


def bad_signature(message: str = "签名校验失败") -> GatewayError:
    return GatewayError(401, "bad_signature", message)


def not_found(code: str, message: str) -> GatewayError:
    return GatewayError(404, code, message)


def conflict(code: str, message: str) -> GatewayError:
    return GatewayError(409, code, message)

"""The JSON API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yiwang.accounts.api_auth import BearerTokenAuth, SessionAuth
from yiwang.core.errors import CoreErrorCode, DomainError

api = NinjaAPI(
    title="Yiwang 一网 API",
    version="1",
    urls_namespace="api",
    description="一体化在线政务服务平台 JSON API. Errors always have the shape "
    '`{"code": ..., "message": ..., "fields": {...}}`.',
    auth=[BearerTokenAuth(), SessionAuth()],
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [
            str(part)
            for part in error.get("loc", [])
            if part not in ("body", "query", "path", "form", "payload")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "invalid")))
    return _error(request, 422, CoreErrorCode.VALIDATION_ERROR, "请求参数不正确", fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, CoreErrorCode.NOT_AUTHENTICATED, "请先登录或提供有效的访问令牌")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {
        404: CoreErrorCode.NOT_FOUND,
        403: CoreErrorCode.PERMISSION_DENIED,
        409: CoreErrorCode.CONFLICT,
    }.get(exc.status_code, CoreErrorCode.VALIDATION_ERROR)
    return _error(request, exc.status_code, code, str(exc))


def _register_routers() -> None:
    from yiwang.accounts.api import router as accounts_router
    from yiwang.cases.api import router as cases_router
    from yiwang.cases.api import staff_router
    from yiwang.catalog.api import router as catalog_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/cases", cases_router)
    api.add_router("/workbench", staff_router)
    from yiwang.cases.bundles_api import router as bundle_applications_router

    api.add_router("/bundle-applications", bundle_applications_router)
    from yiwang.seals.api import router as seals_router

    api.add_router("/seals", seals_router)
    from yiwang.licences.api import router as licences_router

    api.add_router("/licences", licences_router)
    from yiwang.cases.records_api import archives_router, datasets_router, library_router

    api.add_router("/archives", archives_router)
    api.add_router("/library", library_router)
    api.add_router("/datasets", datasets_router)
    from yiwang.workflow.api import router as workflow_router

    api.add_router("/workflow", workflow_router)


_register_routers()

"""The JSON API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.responses import Response
from pydantic import Field

from yiwang.accounts.api import router as accounts_router
from yiwang.accounts.api_auth import BearerTokenAuth, SessionAuth
from yiwang.accounts.data_access_api import router as data_access_router
from yiwang.assessment.api import router as assessment_router
from yiwang.cases.actions_api import router as case_actions_router
from yiwang.cases.api import router as cases_router
from yiwang.cases.bundles_api import router as bundle_applications_router
from yiwang.cases.records_api import archives_router, datasets_router, library_router
from yiwang.cases.staff_api import staff_router
from yiwang.cases.work_queue_api import router as work_queue_router
from yiwang.catalog.api import router as catalog_router
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.crossregion.api import router as crossregion_router
from yiwang.exchange.api import router as exchange_router
from yiwang.federation.api import router as federation_router
from yiwang.hall.api import router as hall_router
from yiwang.knowledge.api import router as knowledge_router
from yiwang.licences.api import router as licences_router
from yiwang.logistics.api import router as logistics_router
from yiwang.metrics.api import router as dashboards_router
from yiwang.opendata.api import router as opendata_router
from yiwang.payments.api import router as payments_router
from yiwang.proactive.api import router as proactive_router
from yiwang.ratings.api import router as ratings_router
from yiwang.receipts.api import router as receipts_router
from yiwang.seals.api import router as seals_router
from yiwang.sharing.api import router as sharing_router
from yiwang.sharing.gateway_api import router as sharing_gateway_router
from yiwang.sharing.quality_api import router as sharing_quality_router
from yiwang.space.api import router as space_router
from yiwang.supervision.api import router as supervision_router
from yiwang.tickets.api import router as tickets_router
from yiwang.workflow.api import router as workflow_router


class ErrorOut(Schema):
    """The one error shape of every 4xx answer."""

    code: str = Field(description="stable machine code, e.g. `not_found`, `stale_case`")
    message: str = Field(description="for people (Chinese)")
    fields: dict[str, Any] = Field(
        description="input field → list of messages; a few codes carry a value instead "
        "(`retry_after` seconds, `upgrade_url`)"
    )


ERROR_STATUSES: dict[int, str] = {
    400: "Refused by a domain check (`validation_error` and the app's codes)",
    401: "Not logged in, or the token is missing, revoked or expired (`not_authenticated`)",
    403: "Logged in without the right role, assurance level or scope (`permission_denied`, …)",
    404: "Not found, or not visible to you (`not_found`)",
    409: "Conflicts with the current state (`invalid_transition`, `stale_case`, …)",
    413: "A file is too large (`file_too_large`)",
    415: "A file type or content is not accepted (`file_type_forbidden`, …)",
    422: "The request does not match this schema (`validation_error`, `fields` says where), or an "
    "uploaded file carries malware (`file_infected`)",
    416: "The requested byte range is outside the file (`range_not_satisfiable`)",
    429: "Too many requests or attempts; wait `Retry-After` seconds (`rate_limited`, `sms_rate_limited`, "
    "`account_locked`, …)",
    503: "The upload could not be scanned for malware now; retry later (`file_scan_unavailable`)",
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_STATUSES[status],
        "content": {"application/json": {"schema": _ERROR_REF}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": _RETRY_AFTER}
    return response


_RETRY_AFTER = {"description": "seconds to wait before retrying", "schema": {"type": "integer", "minimum": 1}}


def error_responses(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` for an operation that can answer more than the errors :func:`_standard_errors`
    infers from its shape, e.g. ``openapi_extra=error_responses(429)`` on a rate-limited endpoint."""
    return {"responses": {status: _error_response(status) for status in statuses}}


# Errors an operation answers beyond what its shape says (see _standard_errors), by method and path
# under /api/v1.  tests/test_api_fuzz.py finds the ones missing here; test_openapi_schema.py checks
# every entry names a real operation.
EXTRA_ERRORS: dict[tuple[str, str], set[int]] = {
    ("post", "/accounts/token"): {401, 429},  # wrong password; account or address locked
    ("post", "/accounts/sms-codes"): {429},
    ("post", "/accounts/recovery/sms"): {429},
    ("post", "/accounts/recovery"): {429},
    ("post", "/accounts/register"): {429},
    ("get", "/cases/status"): {404},
    # The exchange between platform instances (docs/exchange.md): a package already complete or out
    # of order, a chunk too large, a byte range outside the archive.
    # Bulk open data needs an API key: a missing, wrong or revoked key is a 401.
    ("get", "/open-data/bulk"): {401},
    ("post", "/exchange/packages"): {409, 413},
    ("put", "/exchange/packages/{package_id}/chunks"): {404, 409, 413},
    ("get", "/exchange/packages/{package_id}"): {404},
    ("get", "/exchange/packages/{package_id}/receipt"): {404},
    ("get", "/exchange/outbox/{package_id}/archive"): {404, 416},
    ("post", "/exchange/outbox/{package_id}/ack"): {404},
    ("post", "/exchange/deliveries/{delivery_id}/replay"): {404, 409},
    ("post", "/exchange/outgoing/{package_id}/retry"): {404, 409},
    # The carrier's signed callbacks (docs/logistics.md): a bad or stale signature, an unknown
    # waybill; placing an order with the carrier may find it unavailable.
    ("post", "/logistics/callbacks/sim"): {401, 404},
    # The payment gateway's signed notifications (docs/payments.md): a bad signature or replayed
    # nonce, an unknown order; starting an online payment may find the gateway unavailable.
    ("post", "/payments/notify/fiscal"): {401, 404},
    ("post", "/payments/orders/{order_id}/pay"): {503},
    ("post", "/logistics/orders"): {503},
    ("post", "/logistics/orders/{order_id}/submit"): {503},
    ("post", "/logistics/orders/{order_id}/cancel"): {503},
    # Reconciliation fetches the statement / approving "mark paid" queries the fiscal gateway.
    ("post", "/payments/reconciliation/runs"): {503},
    ("post", "/payments/reconciliation/corrections/{correction_id}/approve"): {503},
    # The public assistant (docs/knowledge.md): the conversation named in the body is not the caller's.
    ("post", "/knowledge/assistant/messages"): {404},
}


def _standard_errors(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from its shape (inputs, auth, method, files)."""
    statuses: set[int] = set()
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    if parameters or body:
        statuses |= {400, 422}
    if operation.get("security"):
        statuses |= {401, 403}
        if parameters or body:
            statuses.add(404)  # what the input names (an item, a case, a region) may not exist
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if method in ("post", "put", "patch", "delete"):
        statuses |= {400, 409, 429}  # 429: every write is rate-limited (yiwang.core.ratelimit)
    if "multipart/form-data" in body:
        statuses |= {413, 415, 422, 503}  # 422 file_infected, 503 file_scan_unavailable (cases.uploads)
    return statuses


class YiwangAPI(NinjaAPI):
    """NinjaAPI whose document lists every error answer and the server it was served from."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["schemas"]["ErrorOut"] = ErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        root = "/" + (path_prefix if path_prefix is not None else self.get_root_path(path_params or {}))
        root = re.sub("/+", "/", root).rstrip("/")
        for url, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation["responses"]
                extra = EXTRA_ERRORS.get((method, url.removeprefix(root)), set())
                for status in sorted(_standard_errors(method, operation) | extra):
                    if status not in responses and str(status) not in responses:
                        responses[status] = _error_response(status)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for index, pattern in enumerate(urls):
            if isinstance(pattern, URLPattern) and pattern.name == "openapi-json":
                urls[index] = path(str(pattern.pattern), self._openapi_json, name="openapi-json")
        return urls

    def _openapi_json(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The document, with ``servers`` the scheme, host and port the request came to."""
        schema = self.get_openapi_schema(path_params=kwargs)
        schema["servers"] = [{"url": f"{request.scheme}://{request.get_host()}"}]
        return Response(schema)


api = YiwangAPI(
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


# One router per app (or per audience of an app), mounted in this order (the OpenAPI document's order).
ROUTERS = (
    ("/accounts", accounts_router),
    ("/accounts", data_access_router),
    ("/catalog", catalog_router),
    ("/cases", cases_router),
    ("/workbench", staff_router),
    ("/workbench", case_actions_router),
    ("/bundle-applications", bundle_applications_router),
    ("/seals", seals_router),
    ("/licences", licences_router),
    ("/archives", archives_router),
    ("/library", library_router),
    ("/datasets", datasets_router),
    ("/workflow", workflow_router),
    ("/workflow", work_queue_router),
    ("/sharing", sharing_router),
    ("/sharing", sharing_gateway_router),
    ("/sharing", sharing_quality_router),
    ("/open-data", opendata_router),
    ("/exchange", exchange_router),
    ("/payments", payments_router),
    ("/logistics", logistics_router),
    ("/receipts", receipts_router),
    ("/supervision", supervision_router),
    ("/supervision/assessment", assessment_router),
    ("/dashboards", dashboards_router),
    ("/ratings", ratings_router),
    ("/tickets", tickets_router),
    ("/hall", hall_router),
    ("/knowledge", knowledge_router),
    ("/space", space_router),
    ("/proactive", proactive_router),
    ("/federation", federation_router),
    ("/crossregion", crossregion_router),
)
for prefix, app_router in ROUTERS:
    api.add_router(prefix, app_router)

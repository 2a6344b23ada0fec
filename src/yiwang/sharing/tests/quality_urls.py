"""The platform's URLs plus the data-quality API and pages, for the quality tests: until the lead
mounts them (yiwang.api and yiwang.urls), they are mounted here on a test API with the platform's
authentication and error handlers."""

from __future__ import annotations

from django.urls import Resolver404, include, path, resolve
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yiwang import api as platform_api
from yiwang.accounts.api_auth import BearerTokenAuth, SessionAuth
from yiwang.core.errors import DomainError
from yiwang.sharing.quality_api import router
from yiwang.urls import urlpatterns as platform_patterns


def _mounted(url: str) -> bool:
    try:
        resolve(url, urlconf="yiwang.urls")
    except Resolver404:
        return False
    return True


extra: list = []
if not _mounted("/api/v1/sharing/quality/tickets"):
    test_api = NinjaAPI(urls_namespace="sharing-quality-test", auth=[BearerTokenAuth(), SessionAuth()])
    test_api.add_exception_handler(DomainError, platform_api.on_domain_error)
    test_api.add_exception_handler(ValidationError, platform_api.on_validation_error)
    test_api.add_exception_handler(AuthenticationError, platform_api.on_auth_error)
    test_api.add_exception_handler(HttpError, platform_api.on_http_error)
    test_api.add_router("/sharing", router)
    extra.append(path("api/v1/", test_api.urls))
if not _mounted("/workbench/sharing/quality/"):
    extra.append(path("workbench/sharing/quality/", include("yiwang.sharing.quality_urls")))
if not _mounted("/my/data-quality/"):
    extra.append(path("my/data-quality/", include("yiwang.sharing.quality_my_urls")))

urlpatterns = [*extra, *platform_patterns]

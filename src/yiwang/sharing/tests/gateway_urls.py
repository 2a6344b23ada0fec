"""A URL conf for the gateway tests while the gateway router is not yet mounted in ``yiwang.api``:
the site's patterns plus a second API at ``/gwapi/v1/sharing`` (or the site alone once it is)."""

from __future__ import annotations

from django.urls import path

from yiwang import api as site_api
from yiwang.accounts.api_auth import BearerTokenAuth, SessionAuth
from yiwang.core.errors import DomainError
from yiwang.sharing.gateway_api import router
from yiwang.urls import urlpatterns as site_patterns

MOUNTED = getattr(router, "api", None) is not None
PREFIX = "/api/v1/sharing" if MOUNTED else "/gwapi/v1/sharing"

urlpatterns = list(site_patterns)
if not MOUNTED:
    test_api = site_api.YiwangAPI(
        title="gateway tests", version="t", urls_namespace="gwapi", auth=[BearerTokenAuth(), SessionAuth()]
    )
    test_api.exception_handler(DomainError)(site_api.on_domain_error)
    test_api.exception_handler(site_api.ValidationError)(site_api.on_validation_error)
    test_api.exception_handler(site_api.AuthenticationError)(site_api.on_auth_error)
    test_api.add_router("/sharing", router)
    urlpatterns.insert(0, path("gwapi/v1/", test_api.urls))

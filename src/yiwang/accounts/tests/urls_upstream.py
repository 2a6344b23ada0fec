"""The site's URLs plus /accounts/upstream/ (until yiwang.urls mounts it) and a page that shows the
log-in button the way the portal's log-in page does (``{% upstream_login_button %}``)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.csrf import ensure_csrf_cookie

from yiwang.urls import urlpatterns as site_urlpatterns

_PAGE = engines["django"].from_string(
    "{% load upstream %}<form>{% csrf_token %}</form>{% upstream_login_button %}"
)


@ensure_csrf_cookie
def login_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_PAGE.render({}, request))


urlpatterns = [
    path("accounts/upstream/test-login-page/", login_page),
    path("accounts/upstream/", include("yiwang.accounts.upstream_urls")),
    *site_urlpatterns,
]

"""/accounts/upstream/: log-in through the trusted upstream OIDC provider (the province)."""

from django.urls import path

from yiwang.accounts.upstream_views import upstream_callback, upstream_login, upstream_logout

app_name = "accounts_upstream"
urlpatterns = [
    path("login/", upstream_login, name="login"),
    path("callback/", upstream_callback, name="callback"),
    path("logout/", upstream_logout, name="logout"),
]

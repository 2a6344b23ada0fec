"""The OIDC provider's endpoints under /o/ (namespace ``oauth2_provider``).

Only the endpoints the platform offers: no self-service application management (clients are
registered by administrators) and no dynamic client registration.
"""

from django.urls import path, re_path
from oauth2_provider import views

from yiwang.accounts.oidc import YiwangAuthorizationView, YiwangLogoutView, YiwangTokenView

app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", YiwangAuthorizationView.as_view(), name="authorize"),
    path("token/", YiwangTokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("logout/", YiwangLogoutView.as_view(), name="rp-initiated-logout"),
]

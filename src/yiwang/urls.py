from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve
from oauth2_provider.views import ConnectDiscoveryInfoView

from yiwang.api import api
from yiwang.core.favicon import favicon
from yiwang.core.health import healthz, readyz
from yiwang.core.metrics import metrics_view
from yiwang.seals.urls import public_urlpatterns as public_seal_urls

# /metrics: the kernel's exposition plus the gauges the apps register (cases: CasesConfig.ready).

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("workbench/seals/", include("yiwang.seals.urls")),
    path("seals/verify/", include((public_seal_urls, "seals_public"))),
    path("pki/", include("yiwang.seals.pki")),  # the platform CA's certificates and CRLs
    path("licences/", include("yiwang.licences.urls")),
    path("verify/receipts/", include("yiwang.receipts.urls")),
    path("verify/", include("yiwang.licences.verify_urls")),
    path("workbench/sharing/quality/", include("yiwang.sharing.quality_urls")),
    path("workbench/sharing/", include("yiwang.sharing.urls")),
    path("workbench/exchange/", include("yiwang.exchange.urls")),
    path("open-data/", include("yiwang.opendata.urls")),
    path("workbench/finance/", include("yiwang.payments.urls")),
    path("workbench/logistics/", include("yiwang.logistics.urls")),
    path("cases/<uuid:case_id>/pay/", include("yiwang.payments.applicant_urls")),
    path("logistics/postage/<uuid:order_id>/pay/", include("yiwang.logistics.applicant_urls")),
    path("workbench/supervision/", include("yiwang.supervision.urls")),
    path("workbench/assessment/", include("yiwang.assessment.urls")),
    path("workbench/dashboards/", include("yiwang.metrics.urls")),
    path("screen/", include("yiwang.metrics.screen_urls")),
    path("workbench/ratings/", include("yiwang.ratings.urls")),
    path("rate/", include("yiwang.ratings.public_urls")),
    path("workbench/tickets/", include("yiwang.tickets.urls")),
    path("workbench/hotline/", include("yiwang.tickets.hotline_urls")),
    path("my/tickets/", include("yiwang.tickets.applicant_urls")),
    path("workbench/knowledge/", include("yiwang.knowledge.urls")),
    path("help/", include("yiwang.knowledge.public_urls")),
    path("workbench/hall/agency/", include("yiwang.hall.agency_urls")),
    path("workbench/hall/appointments/", include("yiwang.hall.appointment_urls")),
    path("workbench/hall/", include("yiwang.hall.urls")),
    path("my/appointments/", include("yiwang.hall.applicant_urls")),
    path("hall/", include("yiwang.hall.device_urls")),
    path("kiosk/", include("yiwang.kiosk.urls")),
    path("my/", include("yiwang.space.applicant_urls")),  # materials/ (材料库) and file/ (一人一档)
    path("workbench/files/", include("yiwang.space.urls")),
    path("workbench/proactive/", include("yiwang.proactive.urls")),
    path("my/proactive/", include("yiwang.proactive.applicant_urls")),
    path("workbench/federation/", include("yiwang.federation.urls")),
    path("crossregion/", include("yiwang.crossregion.urls")),
    path("workbench/", include("yiwang.workbench.urls")),
    # 统一身份认证: the OpenID Connect provider (issuer = <site>/o) and its discovery at the root too.
    path("o/", include("yiwang.accounts.oidc_urls")),
    path(".well-known/openid-configuration", ConnectDiscoveryInfoView.as_view(), name="oidc_discovery_root"),
    path("my/data-quality/", include("yiwang.sharing.quality_my_urls")),
    path("accounts/upstream/", include("yiwang.accounts.upstream_urls")),  # log-in through the province
    path("", include("yiwang.portal.urls")),
]

if settings.YIWANG_DEMO and not settings.IS_PRODUCTION:
    # Demo only: blank forms and samples from MEDIA_ROOT.  Case files are never served this way;
    # they go through permission-checked views.
    urlpatterns.append(
        path("media/catalog/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "catalog"})
    )

from django.urls import path

from yiwang.licences import views

app_name = "licences"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/document/", views.document, name="document"),
    path("<uuid:public_id>/print/", views.print_copy, name="print"),
    path("<uuid:public_id>/shares/", views.share_create, name="share_create"),
    path("<uuid:public_id>/consents/", views.consent_grant, name="consent_grant"),
    path("shares/<uuid:public_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("consents/<uuid:public_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("staff/lookup/", views.staff_lookup, name="staff_lookup"),
    path("staff/<uuid:public_id>/use/", views.staff_use, name="staff_use"),
]

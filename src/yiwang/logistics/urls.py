"""Staff logistics pages (waybills, courier orders) under /workbench/logistics/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.logistics import views

app_name = "logistics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.order_list, name="orders"),
    path("orders/<uuid:public_id>/", views.order_detail, name="order_detail"),
    path("orders/<uuid:public_id>/waybill.pdf", views.waybill_pdf, name="waybill"),
    path("orders/<uuid:public_id>/submit/", views.submit, name="submit"),
    path("orders/<uuid:public_id>/cancel/", views.cancel, name="cancel"),
]

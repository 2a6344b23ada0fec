"""Pages of metrics: the managers' dashboards under /workbench/dashboards/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.metrics import views

app_name = "metrics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
]

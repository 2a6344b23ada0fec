"""Pages of assessment (mounted at /workbench/assessment/)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.assessment import views

app_name = "assessment"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.run_list, name="runs"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<uuid:scheme_id>/", views.scheme_detail, name="scheme"),
    path("schemes/<uuid:scheme_id>/publish/", views.scheme_publish, name="scheme_publish"),
    path("schemes/<uuid:scheme_id>/retire/", views.scheme_retire, name="scheme_retire"),
    path("schemes/<uuid:scheme_id>/version/", views.scheme_version, name="scheme_version"),
    path("schemes/<uuid:scheme_id>/run/", views.scheme_run, name="scheme_run"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run"),
    path("runs/<uuid:run_id>/publish/", views.run_publish, name="run_publish"),
]

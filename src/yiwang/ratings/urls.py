"""Pages of ratings under /workbench/ratings/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.ratings import views

app_name = "ratings"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.rectification_list, name="rectifications"),
    path("indicators/", views.indicators_page, name="indicators"),
    path("<uuid:rectification_id>/", views.rectification_detail, name="rectification"),
    path("<uuid:rectification_id>/<str:action>/", views.rectification_act, name="rectification_act"),
]

"""Pages of supervision under /workbench/supervision/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.supervision import views

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.warning_list, name="warnings"),
    path("warnings/<uuid:warning_id>/", views.warning_detail, name="warning"),
    path("warnings/<uuid:warning_id>/<str:action>/", views.warning_act, name="warning_act"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<uuid:rule_id>/", views.rule_detail, name="rule"),
    path("cards/", views.card_list, name="cards"),
    path("cards/<uuid:card_id>/<str:action>/", views.card_act, name="card_act"),
]

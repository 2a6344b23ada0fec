"""Managers' pages of proactive services (/workbench/proactive/): rules, reach, objections."""

from django.urls import URLPattern, URLResolver, path

from yiwang.proactive import views

app_name = "proactive"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.rules, name="rules"),
    path("new/", views.new_rule, name="new"),
    path("preview/", views.preview, name="preview"),
    path("objections/", views.objections, name="objections"),
    path("objections/<uuid:objection_id>/decide/", views.decide, name="decide"),
    path("<uuid:rule_id>/", views.rule_detail, name="rule"),
    path("<uuid:rule_id>/edit/", views.edit_rule, name="edit"),
    path("<uuid:rule_id>/<str:action>/", views.change_status, name="status"),
]

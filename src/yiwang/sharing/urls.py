from django.urls import path

from yiwang.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.resource_list, name="resources"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<uuid:resource_id>/", views.resource_detail, name="resource"),
    path("resources/<uuid:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<uuid:resource_id>/request/", views.request_form, name="request_form"),
    path("resources/<uuid:resource_id>/<slug:action>/", views.resource_action, name="resource_action"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<uuid:request_id>/", views.request_detail, name="request"),
    path("requests/<uuid:request_id>/<slug:action>/", views.request_action, name="request_action"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<uuid:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
]

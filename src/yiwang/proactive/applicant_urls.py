"""The recipient's pages (/my/proactive/): pushes and grants received, objections, push settings."""

from django.urls import URLPattern, URLResolver, path

from yiwang.proactive import views

app_name = "my_proactive"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_list, name="list"),
    path("settings/", views.my_settings, name="settings"),
    path("<uuid:push_id>/", views.my_detail, name="detail"),
]

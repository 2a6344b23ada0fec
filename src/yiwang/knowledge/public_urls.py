"""Public pages of knowledge under /help/: the help centre and the assistant."""

from django.urls import URLPattern, URLResolver, path

from yiwang.knowledge import views

app_name = "knowledge_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.help_index, name="index"),
    path("assistant/", views.assistant, name="assistant"),
    path("assistant/new/", views.assistant_new, name="assistant_new"),
    path("assistant/rate/", views.assistant_rate, name="assistant_rate"),
    path("<uuid:entry_id>/", views.help_entry, name="entry"),
]

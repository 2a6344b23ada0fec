"""Pages of knowledge under /workbench/knowledge/ (staff)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.knowledge import views

app_name = "knowledge"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.entry_list, name="entries"),
    path("new/", views.entry_new, name="entry_new"),
    path("review/", views.review_queue, name="review"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("<uuid:entry_id>/", views.entry_detail, name="entry"),
    path("<uuid:entry_id>/<str:action>/", views.entry_act, name="entry_act"),
]

"""Public pages of ratings under /rate/ (no log-in: the token is the key)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.ratings import views

app_name = "ratings_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>/", views.rate_page, name="rate"),
]

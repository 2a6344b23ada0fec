"""The big screen (视窗系统) of the service centre under /screen/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.metrics import views

app_name = "screen"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.screen_page, name="index"),
    path("figures/", views.screen_fragment, name="figures"),
    path("regions.json", views.screen_regions, name="regions"),
]

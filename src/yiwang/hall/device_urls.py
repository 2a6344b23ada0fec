"""Device pages of the hall (public, no login; see yiwang/urls.py for the /hall/ prefix)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.hall import device_views

app_name = "hall_devices"
urlpatterns: list[URLPattern | URLResolver] = [
    path("queue/<slug:hall_code>/", device_views.queue_screen, name="queue_screen"),
    path("queue/<slug:hall_code>/board/", device_views.queue_board, name="queue_board"),
    path("queue/<slug:hall_code>/announcements.json", device_views.announcements, name="announcements"),
    path("take/<slug:hall_code>/", device_views.take, name="take"),
    path("rate/<uuid:window_id>/", device_views.rate_device, name="rate"),
]

"""Public verification pages (/verify/), the target of the QR code on every licence."""

from django.urls import path

from yiwang.licences import views

app_name = "licences_verify"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:identifier>/", views.verify_identifier, name="identifier"),
]

"""Public verification of electronic receipts under /verify/receipts/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.receipts import views

app_name = "receipts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.verify, name="verify_form"),
    path("<str:code>/", views.verify_code, name="verify"),
]

from django.urls import path

from yiwang_demo_carrier import views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/orders", views.create_order, name="create_order"),
    path("api/orders/<str:waybill>/cancel", views.cancel_order, name="cancel_order"),
    path("api/orders/<str:waybill>/tracking", views.tracking, name="tracking"),
    path("api/sim/behaviour", views.behaviour, name="behaviour"),
    path("track/<str:waybill>", views.track_page, name="track"),
]

from django.urls import path

from yiwang.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("outgoing/<uuid:public_id>/retry/", views.retry, name="retry"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/replay/", views.replay_all, name="replay_all"),
    path("deliveries/<uuid:public_id>/replay/", views.replay, name="replay"),
]

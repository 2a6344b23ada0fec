from django.urls import path

from yiwang_demo_dept import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login", views.login, name="login"),
    path("callback", views.callback, name="callback"),
    path("logout", views.logout, name="logout"),
    path("feeds/population", views.push_feed, name="push_feed"),
]

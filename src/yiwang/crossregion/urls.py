from django.urls import path

from yiwang.crossregion import views

app_name = "crossregion"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/<uuid:item_id>/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("mine/<uuid:case_id>/", views.case_detail, name="case"),
]

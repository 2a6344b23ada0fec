from django.urls import path

from yiwang.federation import views

app_name = "federation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("cases/", views.cases, name="cases"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("licences/", views.licences, name="licences"),
    path("ratings/", views.ratings, name="ratings"),
    path("findings/", views.findings, name="findings"),
    path("backflow/", views.backflow, name="backflow"),
    path("sync/", views.sync, name="sync"),
]

from django.urls import path

from yiwang.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.todo, name="todo"),
    path("login/", views.login_view, name="login"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/accept/", views.accept, name="accept"),
    path("cases/<uuid:public_id>/refuse/", views.refuse, name="refuse"),
    path("cases/<uuid:public_id>/correction/", views.correction, name="correction"),
    path("cases/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("cases/<uuid:public_id>/result/", views.result_download, name="result"),
    path("cases/<uuid:public_id>/materials/<uuid:material_id>/", views.material_download, name="material"),
]

from django.urls import path

from yiwang.seals import views

app_name = "seals"
urlpatterns = [
    path("", views.seal_list, name="list"),
    path("apply/", views.seal_apply, name="apply"),
    path("<uuid:public_id>/", views.seal_detail, name="detail"),
    path("<uuid:public_id>/authorise/", views.seal_authorise, name="authorise"),
    path("<uuid:public_id>/stamp/", views.seal_stamp, name="stamp"),
    path("<uuid:public_id>/<slug:action>/", views.seal_action, name="action"),
]

public_urlpatterns = [path("", views.verify_page, name="verify")]

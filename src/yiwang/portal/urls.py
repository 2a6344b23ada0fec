from django.urls import path

from yiwang.portal.views import apply, auth, catalog, my, public

app_name = "portal"
urlpatterns = [
    path("", catalog.home, name="home"),
    path("search/", catalog.search, name="search"),
    path("items/<uuid:public_id>/", catalog.item_guide, name="item_guide"),
    path("items/<uuid:public_id>/apply/", apply.apply, name="apply"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("register/", auth.register, name="register"),
    path("register/sms/", auth.register_sms, name="register_sms"),
    path("mode/elderly/", auth.elderly_mode, name="elderly_mode"),
    path("my/cases/", my.my_cases, name="my_cases"),
    path("my/cases/<uuid:public_id>/", my.case_detail, name="case_detail"),
    path("my/cases/<uuid:public_id>/correction/", my.case_correction, name="case_correction"),
    path("my/cases/<uuid:public_id>/withdraw/", my.case_withdraw, name="case_withdraw"),
    path("my/cases/<uuid:public_id>/result/", my.case_result, name="case_result"),
    path("my/cases/<uuid:public_id>/materials/<uuid:material_id>/", my.case_material, name="case_material"),
    path("my/messages/", my.inbox, name="messages"),
    path("status/", public.status_lookup_view, name="status_lookup"),
    path("dev/sms/", public.dev_sms, name="dev_sms"),
]

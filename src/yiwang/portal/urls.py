from django.urls import path

from yiwang.portal.views import account, apply, auth, bundles, catalog, hall, my, public

app_name = "portal"
urlpatterns = [
    path("", catalog.home, name="home"),
    path("search/", catalog.search, name="search"),
    path("items/<uuid:public_id>/", catalog.item_guide, name="item_guide"),
    path("items/<uuid:public_id>/apply/", apply.apply, name="apply"),
    path("bundles/", bundles.bundle_list, name="bundle_list"),
    path("bundles/<uuid:public_id>/", bundles.bundle_guide, name="bundle_guide"),
    path("hall/items/", hall.hall_items, name="hall_items"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("register/", auth.register, name="register"),
    path("register/sms/", auth.register_sms, name="register_sms"),
    path("mode/elderly/", auth.elderly_mode, name="elderly_mode"),
    path("my/cases/", my.my_cases, name="my_cases"),
    path("my/cases/<uuid:public_id>/", my.case_detail, name="case_detail"),
    path("my/cases/<uuid:public_id>/correction/", my.case_correction, name="case_correction"),
    path("my/cases/<uuid:public_id>/withdraw/", my.case_withdraw, name="case_withdraw"),
    path("my/cases/<uuid:public_id>/gap/", my.case_gap, name="case_gap"),
    path("my/cases/<uuid:public_id>/result/", my.case_result, name="case_result"),
    path("my/cases/<uuid:public_id>/materials/<uuid:material_id>/", my.case_material, name="case_material"),
    path("my/messages/", my.inbox, name="messages"),
    path("status/", public.status_lookup_view, name="status_lookup"),
    path("dev/sms/", public.dev_sms, name="dev_sms"),
    # 账户与安全、实名等级、代办授权、单点登录身份选择 (accounts)
    path("recover/", account.recover, name="recover"),
    path("my/security/", account.security, name="security"),
    path("my/security/password/", account.change_password, name="change_password"),
    path("my/security/phone/", account.change_phone, name="change_phone"),
    path("my/security/phone/sms/", account.change_phone_sms, name="change_phone_sms"),
    path("my/upgrade/", account.upgrade, name="upgrade"),
    path("my/upgrade/checks/", account.upgrade_checks, name="upgrade_checks"),
    path("my/upgrade/bank-card/", account.upgrade_bank_card, name="upgrade_bank_card"),
    path("my/upgrade/face/", account.upgrade_face, name="upgrade_face"),
    path("my/upgrade/population/", account.upgrade_population, name="upgrade_population"),
    path("my/agents/", account.agents, name="agents"),
    path("my/company/register/", account.company_register, name="company_register"),
    path("my/agents/<uuid:public_id>/revoke/", account.agent_revoke, name="agent_revoke"),
    path("sso/choose/", account.sso_choose, name="sso_choose"),
]

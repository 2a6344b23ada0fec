"""Pages of the self-service kiosk under /kiosk/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.kiosk.views import functions, login

app_name = "kiosk"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", login.home, name="home"),
    path("logout/", login.logout, name="logout"),
    path("mode/", login.mode, name="mode"),
    path("login/card/", login.card_login, name="card_login"),
    path("login/qr/", login.qr_login, name="qr_login"),
    path("login/qr/status/", login.qr_status, name="qr_status"),
    path("qr/<str:token>/confirm/", login.qr_confirm, name="qr_confirm"),
    path("ticket/", functions.ticket, name="ticket"),
    path("checkin/", functions.checkin_page, name="checkin"),
    path("cases/", functions.cases, name="cases"),
    path("cases/<uuid:public_id>/", functions.case_detail, name="case_detail"),
    path("print/", functions.print_list, name="print"),
    path("print/licences/<uuid:public_id>/", functions.print_licence, name="print_licence"),
    path("print/results/<uuid:public_id>/", functions.print_result, name="print_result"),
    path("apply/", functions.apply, name="apply"),
]

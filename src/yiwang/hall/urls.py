"""Pages of the window console (/workbench/hall/; see yiwang/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.hall import console_views, setup_views, views

app_name = "hall"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.console, name="console"),
    path("stats/", views.stats, name="stats"),
    path("setup/", setup_views.setup_page, name="setup"),
    path("setup/schedules/", setup_views.add_schedule, name="setup_add_schedule"),
    path("setup/schedules/<uuid:schedule_id>/", setup_views.switch_schedule, name="setup_schedule"),
    path("setup/close-day/", setup_views.close_day, name="setup_close_day"),
    path("setup/slots/", setup_views.make_slots, name="setup_make_slots"),
    path("windows/<uuid:window_id>/<slug:action>/", views.window_action, name="window_action"),
    path("tickets/<uuid:ticket_id>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("register/", console_views.register_start, name="register_start"),
    path("register/<uuid:item_id>/", console_views.register_item, name="register_item"),
    path("cases/<uuid:case_id>/", console_views.visit_case, name="visit_case"),
    path("cases/<uuid:case_id>/receipt/", console_views.visit_receipt, name="visit_receipt"),
    path("cases/<uuid:case_id>/scans/", console_views.visit_scans, name="visit_scans"),
    path("handover/", console_views.handover, name="handover"),
    path("handover/<uuid:case_id>/", console_views.handover_case, name="handover_case"),
    path("person/", console_views.person, name="person"),
]

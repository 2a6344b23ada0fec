from django.urls import path

from yiwang.sharing import feed_views, gateway_views, views

app_name = "sharing"
urlpatterns = [
    path("", views.resource_list, name="resources"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<uuid:resource_id>/", views.resource_detail, name="resource"),
    path("resources/<uuid:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<uuid:resource_id>/request/", views.request_form, name="request_form"),
    path("resources/<uuid:resource_id>/<slug:action>/", views.resource_action, name="resource_action"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<uuid:request_id>/", views.request_detail, name="request"),
    path("requests/<uuid:request_id>/<slug:action>/", views.request_action, name="request_action"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<uuid:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    # --- 供数授权 (feed_views) ---
    path("feed-sources/", feed_views.feed_sources, name="feed_sources"),
    path("feed-sources/<int:source_id>/revoke/", feed_views.feed_source_revoke, name="feed_source_revoke"),
    # --- the gateway (gateway_views) ---
    path("gateway/calls/", gateway_views.call_log, name="gateway_calls"),
    path("gateway/statistics/", gateway_views.statistics_page, name="gateway_statistics"),
    path("gateway/statistics/data/", gateway_views.statistics_data, name="gateway_statistics_data"),
    path("gateway/consumers/", gateway_views.consumer_list, name="gateway_consumers"),
    path(
        "gateway/consumers/<uuid:consumer_id>/<slug:action>/",
        gateway_views.consumer_action,
        name="gateway_consumer_action",
    ),
    path("gateway/subscriptions/", gateway_views.subscription_list, name="gateway_subscriptions"),
    path(
        "gateway/subscriptions/<uuid:subscription_id>/",
        gateway_views.subscription_detail,
        name="gateway_subscription",
    ),
    path(
        "gateway/subscriptions/<uuid:subscription_id>/cancel/",
        gateway_views.subscription_cancel,
        name="gateway_subscription_cancel",
    ),
]

from django.urls import URLPattern, URLResolver, path

from ..views import subscriptions as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("stay-informed/", views.subscribe, name="subscribe"),
    path("stay-informed/check-your-email/", views.subscribe_done, name="subscribe_done"),
    path("stay-informed/confirm/<str:token>/", views.subscribe_confirm, name="subscribe_confirm"),
    path("stay-informed/preferences/<str:token>/", views.preferences, name="preferences"),
    path(
        "stay-informed/preferences/<str:token>/my-data.json",
        views.preferences_export,
        name="preferences_export",
    ),
    path(
        "stay-informed/preferences/<str:token>/erase/",
        views.preferences_erase,
        name="preferences_erase",
    ),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/<int:message_id>/retry/", views.outbox_retry, name="outbox_retry"),
]

"""The account pages for personal API tokens, included under ``/account/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("api-tokens/", views.token_list, name="list"),
    path("api-tokens/created/", views.token_created, name="created"),
    path("api-tokens/<int:token_id>/revoke/", views.token_revoke_confirm, name="revoke"),
]

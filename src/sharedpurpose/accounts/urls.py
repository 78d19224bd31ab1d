"""A signed-in person's own data, included under ``/account/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "personal_data"

urlpatterns = [
    path("your-data/", views.your_data, name="overview"),
    path("your-data/download/", views.your_data_download, name="download"),
    path("your-data/erase/", views.account_erase, name="erase"),
]

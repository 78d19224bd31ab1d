from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:programme_slug>/", views.programme_detail, name="programme"),
    path(
        "programmes/<slug:programme_slug>/<slug:round_slug>/",
        views.round_detail,
        name="round",
    ),
]

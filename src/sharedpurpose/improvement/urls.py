from django.urls import include, path

app_name = "improvement"

urlpatterns = [
    path("", include("sharedpurpose.improvement.routes.team")),
]

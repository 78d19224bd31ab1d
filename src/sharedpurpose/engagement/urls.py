from django.urls import include, path

app_name = "engagement"

urlpatterns = [
    path("", include("sharedpurpose.engagement.routes.comments")),
    path("", include("sharedpurpose.engagement.routes.subscriptions")),
]

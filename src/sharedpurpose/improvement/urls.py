from django.urls import include, path

app_name = "improvement"

# One module per area of the workspace; all names live in the "improvement" namespace.
urlpatterns = [
    path("", include("sharedpurpose.improvement.routes.team")),
    path("", include("sharedpurpose.improvement.routes.members")),
    path("", include("sharedpurpose.improvement.routes.goals")),
    path("", include("sharedpurpose.improvement.routes.data")),
    path("", include("sharedpurpose.improvement.routes.charts")),
]

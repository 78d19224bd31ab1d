from django.urls import include, path

app_name = "applications"

# One module per area; all names live in the "applications" namespace.
urlpatterns = [
    path("", include("sharedpurpose.applications.routes.apply")),
    path("", include("sharedpurpose.applications.routes.answers")),
    path("", include("sharedpurpose.applications.routes.builder")),
    path("", include("sharedpurpose.applications.routes.assess")),
    path("", include("sharedpurpose.applications.routes.decisions")),
]

from django.urls import include, path

app_name = "evidence"

# One module per area; all names live in the "evidence" namespace.
urlpatterns = [
    path("", include("sharedpurpose.evidence.routes.interventions")),
    path("", include("sharedpurpose.evidence.routes.case_studies")),
    path("", include("sharedpurpose.evidence.routes.reports")),
]

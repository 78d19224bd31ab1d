from django.contrib import admin
from django.urls import include, path

from sharedpurpose.api.main import api

admin.site.site_header = "Shared Purpose administration"
admin.site.site_title = "Shared Purpose administration"

urlpatterns = [
    path("", include("sharedpurpose.core.urls")),
    # Before programmes: /programmes/<p>/evidence/ must not be read as a round called "evidence".
    path("", include("sharedpurpose.evidence.urls")),
    path("", include("sharedpurpose.programmes.urls")),
    path("teams/", include("sharedpurpose.improvement.urls")),
    path("", include("sharedpurpose.engagement.urls")),
    path("", include("sharedpurpose.applications.urls")),
    path("api/", api.urls),
    path("account/", include("sharedpurpose.accounts.urls")),
    path("account/", include("sharedpurpose.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Shared Purpose administration"
admin.site.site_title = "Shared Purpose administration"

urlpatterns = [
    path("", include("sharedpurpose.core.urls")),
    path("", include("sharedpurpose.programmes.urls")),
    path("teams/", include("sharedpurpose.improvement.urls")),
    path("", include("sharedpurpose.engagement.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

"""The project's URLs plus the permits API under /api/permits/, until gisapp.urls includes it."""

from django.urls import include, path

from gisapp.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/permits/", include("permits.urls")),
    *project_urlpatterns,
]

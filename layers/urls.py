"""URLs of the layers app: the /ows access check (called by nginx only)."""

from django.urls import path

from layers.api import AnalysisView
from layers.publishing.ows import ows_auth

app_name = "layers"
urlpatterns = [
    path("ows-auth/", ows_auth, name="ows-auth"),
    path("api/analysis/", AnalysisView.as_view(), name="analysis"),
]

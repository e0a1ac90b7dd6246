"""API of the register; the project includes it under /api/registratura/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from registratura.api import DocumentViewSet, KindViewSet, TrackView

app_name = "registratura_api"
router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")
router.register("kinds", KindViewSet, basename="kind")

urlpatterns = [
    path("track/", TrackView.as_view(), name="track"),
    path("", include(router.urls)),
]

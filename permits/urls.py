"""API of permit applications; the project includes it under /api/permits/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from permits.api.views import ApplicationViewSet, KindViewSet, TrackView, VerifyEmailView

app_name = "permits"
router = SimpleRouter()
router.register("kinds", KindViewSet, basename="kind")
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = [
    path("track/", TrackView.as_view(), name="track"),
    path("verify-email/", VerifyEmailView.as_view(), name="verify-email"),
    path("", include(router.urls)),
]

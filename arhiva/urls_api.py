"""The archive API; the project includes it under /api/arhiva/."""

from django.urls import path

from arhiva import api

app_name = "arhiva_api"
urlpatterns = [
    path("", api.DocumentListView.as_view(), name="search"),
    path("acte/<int:pk>/", api.DocumentDetailView.as_view(), name="detail"),
    path("acte/<int:pk>/pdf/", api.DocumentPdfView.as_view(), name="pdf"),
    path("acte/<int:pk>/amplasare/", api.PlaceView.as_view(), name="place"),
    path("neamplasate/", api.UnplacedView.as_view(), name="unplaced"),
    path("track/", api.TrackView.as_view(), name="track"),
    path("pastrare/", api.RetentionView.as_view(), name="retention"),
]

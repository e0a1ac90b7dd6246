"""Officers' archive pages (mounted at /arhiva/)."""

from django.urls import path

from arhiva import views

app_name = "arhiva"
urlpatterns = [
    path("", views.SearchPage.as_view(), name="search"),
    path("acte/<int:pk>/", views.DetailPage.as_view(), name="detail"),
    path("acte/<int:pk>/amplasare/", views.PlaceAction.as_view(), name="place"),
    path("neamplasate/", views.UnplacedPage.as_view(), name="unplaced"),
    path("pastrare/", views.RetentionPage.as_view(), name="retention"),
]

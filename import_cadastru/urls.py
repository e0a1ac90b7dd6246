"""Officers' import pages (mounted at /import/)."""

from django.urls import path

from import_cadastru import views

app_name = "import_cadastru"
urlpatterns = [
    path("", views.RunListView.as_view(), name="list"),
    path("nou/", views.UploadView.as_view(), name="upload"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="detail"),
    path("<int:pk>/raport.json", views.RunJsonView.as_view(), name="report_json"),
]

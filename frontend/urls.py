"""URLs of the front-end pages (include at the site root: `path("", include("frontend.urls"))`)."""

from django.urls import path
from django.views.i18n import set_language

from frontend import assets, views

app_name = "frontend"
urlpatterns = [
    path("harta/", views.officer_map, name="map"),
    path("harta/cereri/", views.work_queue, name="queue"),
    path("harta/cereri/<uuid:public_id>/", views.application_detail, name="application"),
    path("portal/", views.portal, name="portal"),
    path("portal/urmarire/", views.tracking, name="track"),
    path("portal/cerere-noua/", views.new_application, name="apply"),
    path("portal/imobil/la/", views.parcel_status_at, name="parcel-at"),
    path(
        "portal/imobil/<int:siruta>/<str:number>/",
        views.parcel_status,
        name="parcel-status",
    ),
    path("cont/autentificare/", views.LoginView.as_view(), name="login"),
    path("cont/iesire/", views.LogoutView.as_view(), name="logout"),
    path("limba/", set_language, name="set-language"),
    path("assets/<path:path>", assets.serve_asset, name="asset"),
]

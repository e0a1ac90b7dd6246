"""URL wiring of the whole project."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gisapp.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(url="/portal/", permanent=False)),
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("import/", include("import_cadastru.urls")),
    path("", include("layers.urls")),
    path("api/permits/", include("permits.urls")),
    path("api/map/", include("layers.urls_map")),
    path("registratura/", include("registratura.urls")),
    path("api/registratura/", include("registratura.urls_api")),
    path("arhiva/", include("arhiva.urls")),
    path("api/arhiva/", include("arhiva.urls_api")),
    path("", include("frontend.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

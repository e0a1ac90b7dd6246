"""The project's URLs plus the web map's, until gisapp/urls.py includes them itself.

Used by the browser tests (tests/frontend/settings.py) and handy for local runs:
`DJANGO_SETTINGS_MODULE=tests.frontend.settings`. Once gisapp/urls.py has the include
lines, the duplicates here are harmless (the first match wins).
"""

from django.urls import include, path

from gisapp.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/map/", include("layers.urls_map")),
    path("", include("frontend.urls")),
    *project_urlpatterns,
]

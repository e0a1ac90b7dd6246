"""The project's settings with the web map's URLs mounted (frontend.dev_urls), for the
runserver that the browser tests start, until gisapp/urls.py includes them itself."""

from gisapp.settings import *  # noqa: F403

ROOT_URLCONF = "frontend.dev_urls"

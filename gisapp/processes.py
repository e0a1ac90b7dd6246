"""The production processes, defined once: the native production mode (`./stack prod`,
`manage.py runstack --production`) and docker/compose.yaml run exactly these commands
(tests/deploy checks the compose file against this module)."""

from __future__ import annotations

# Background work (dossiers: WeasyPrint + MapScript extracts; imports; OCR) runs at a lower CPU
# priority than the interactive processes (gunicorn, mapserv, nginx): on a machine with few
# cores a dossier must not take its CPU from parcel lookups and map tiles. Its children
# (ocrmypdf) inherit the niceness.
WORKER_NICENESS = 10

WEB = ["gunicorn", "gisapp.wsgi:application", "--config", "gisapp/gunicorn_conf.py"]
WORKER = ["nice", "-n", str(WORKER_NICENESS), "python", "manage.py", "procrastinate", "worker"]
OWS = ["python", "manage.py", "ows_pool"]
MIGRATE = ["python", "manage.py", "migrate", "--noinput"]
PUBLISH = ["python", "manage.py", "publish_ows"]
COLLECTSTATIC = ["python", "manage.py", "collectstatic", "--noinput"]

# Environment variables every production process reads (see gisapp/env.py, settings).
ENVIRONMENT = [
    "DATABASE_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SSL_REDIRECT",
    "DJANGO_STATIC_ROOT",
    "DJANGO_MEDIA_ROOT",
    "GISAPP_VAR_DIR",
    "OWS_DIR",
    "OWS_ONLINE_RESOURCE",
    "OWS_DB_PASSWORD",
    "MAPSERVER_WORKERS",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_BIND",
    "OWS_BIND",
]

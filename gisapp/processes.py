"""The production processes, defined once: the native production mode (`./stack prod`,
`manage.py runstack --production`) and docker/compose.yaml run exactly these commands
(tests/deploy checks the compose file against this module)."""

from __future__ import annotations

WEB = ["gunicorn", "gisapp.wsgi:application", "--config", "gisapp/gunicorn_conf.py"]
WORKER = ["python", "manage.py", "procrastinate", "worker"]
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
    "GUNICORN_BIND",
    "OWS_BIND",
]

"""Django settings for the GIS permitting system; values come from gisapp.env."""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gisapp import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR

SECRET_KEY = env.env_str(
    "DJANGO_SECRET_KEY", "", "secret key; generated under var/ when unset"
) or (env.local_secret_key())
DEBUG = env.env_bool("DJANGO_DEBUG", True, "debug pages; false in production")
ALLOWED_HOSTS = env.env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"], "host names served"
)
CSRF_TRUSTED_ORIGINS = env.env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [], "https origins")

# Behind nginx with TLS in production; the defaults follow DEBUG so that a production
# configuration passes `manage.py check --deploy` without extra variables.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.env_bool("DJANGO_SSL_REDIRECT", not DEBUG, "redirect http to https")
SESSION_COOKIE_SECURE = env.env_bool("DJANGO_SECURE_COOKIES", not DEBUG, "https-only cookies")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000, "HSTS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Geometry is stored in Stereo 70, the national system of cadastral data (metres, exact
# areas). API_SRID is what GeoJSON speaks, DISPLAY_SRID what the web map draws in.
SRID = 3844
API_SRID = 4326
DISPLAY_SRID = 3857

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "procrastinate.contrib.django",
    "axes",
    "layers",
    "import_cadastru",
    "registratura",
    "permits",
    "arhiva",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last: it turns a locked-out login into a 429 answer
    "axes.middleware.AxesMiddleware",
]

# Login throttling for every way in (admin and portal forms, DRF Basic, QGIS Basic on /ows).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.env_int("AXES_FAILURE_LIMIT", 5, "failed logins before a lockout")
AXES_COOLOFF_TIME = env.env_int("AXES_COOLOFF_MINUTES", 15, "lockout length (minutes)") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "gisapp.urls"
WSGI_APPLICATION = "gisapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.env_str(
            "DATABASE_URL",
            env.local_database_url(),
            "postgis://user:password@host:port/name; the private var/pg cluster when unset",
        ),
        conn_max_age=env.env_int("DATABASE_CONN_MAX_AGE", 60, "persistent connections (s)"),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
_replica_url = env.env_str(
    "DATABASE_REPLICA_URL", "", "a streaming replica for spatial reads (optional)"
)
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60)
    DATABASES["replica"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["gisapp.db_router.ReplicaRouter"]

# GDAL 3.6 (Debian 12) cannot block file and network access from spatial references.
# Uploaded files are opened only through an explicit driver allow-list that excludes VRT
# (import_cadastru.readers), which is the mitigation the warning asks for.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Română")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static"), "collected static files")
MEDIA_URL = "media/"
MEDIA_ROOT = env.env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media"), "uploads and dossiers")
# Files appear under their name only when completely written (gisapp/storage.py).
STORAGES = {
    "default": {"BACKEND": "gisapp.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "layers.authentication.BasicAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.env_str("API_ANON_RATE", "600/minute", "API requests per anonymous client"),
        "user": env.env_str("API_USER_RATE", "3000/minute", "API requests per user"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GIS permitting API",
    "DESCRIPTION": "Cadastre, county roads, urban plans and permit applications.",
    "VERSION": "0.1.0",
}

DEMO_COUNTY_NAME = env.env_str("GISAPP_DEMO_COUNTY", "Alba", "county name used by the demo data")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # chatty at INFO: every CSS step of every PDF, every task registration
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# OGC services: MapServer mapfiles generated from the layer registry (layers.publishing).
OWS_DIR = env.env_str("OWS_DIR", str(VAR_DIR / "ows"), "generated mapfiles and templates")
OWS_ONLINE_RESOURCE = env.env_str(
    "OWS_ONLINE_RESOURCE", "http://127.0.0.1:8000/ows?", "public URL of /ows in capabilities"
)
OWS_DB_USER = env.env_str("OWS_DB_USER", "gisapp_ows", "role MapServer reads the ows views as")
OWS_DB_PASSWORD = env.env_str("OWS_DB_PASSWORD", "", "its password; generated under var/")
OWS_DB_HOST = env.env_str("OWS_DB_HOST", "", "database host for MapServer (default: Django's)")
OWS_DB_PORT = env.env_str("OWS_DB_PORT", "", "database port for MapServer (default: Django's)")
MAPSERV_BIN = env.env_str("MAPSERV_BIN", "/usr/bin/mapserv", "the MapServer 8 binary")
UPLOAD_MAX_MB = env.env_int("GISAPP_UPLOAD_MAX_MB", 50, "largest upload accepted (MB)")
MAPSERVER_WORKERS = env.env_int("MAPSERVER_WORKERS", 2, "FastCGI mapserv processes")
PROJ_SYSTEM_DATA = env.env_str(
    "PROJ_SYSTEM_DATA", "/usr/share/proj", "PROJ data of MapServer's PROJ"
)
OWS_CONTACT = {
    "organization": env.env_str(
        "OWS_CONTACT_ORGANIZATION", f"Consiliul Județean {DEMO_COUNTY_NAME}", "publisher"
    ),
    "person": env.env_str("OWS_CONTACT_PERSON", "Compartimentul GIS", "contact person"),
    "email": env.env_str("OWS_CONTACT_EMAIL", "gis@example.org", "contact e-mail"),
    "address": env.env_str("OWS_CONTACT_ADDRESS", "Piața Ion I.C. Brătianu nr. 1", "address"),
    "city": env.env_str("OWS_CONTACT_CITY", "Alba Iulia", "city"),
    "postcode": env.env_str("OWS_CONTACT_POSTCODE", "510118", "postal code"),
}
OGCAPI_TEMPLATES = env.env_str(
    "OGCAPI_TEMPLATES", "/usr/share/mapserver/ogcapi/templates/html-plain/", "OGC API HTML"
)
OWS_BIND = env.env_str("OWS_BIND", "127.0.0.1:8002", "host:port of the MapServer FastCGI pool")

# E-mail: the registration number and access key go to the applicant at once, and filers
# without an account verify their address with a code. Without DJANGO_EMAIL_HOST e-mails
# are printed to the log (console backend); tests use Django's locmem or file backend.
EMAIL_HOST = env.env_str("DJANGO_EMAIL_HOST", "", "SMTP server (empty: e-mails go to the log)")
EMAIL_BACKEND = env.env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
    "Django e-mail backend (filebased for inspection)",
)
EMAIL_PORT = env.env_int("DJANGO_EMAIL_PORT", 587, "SMTP port")
EMAIL_HOST_USER = env.env_str("DJANGO_EMAIL_USER", "", "SMTP user")
EMAIL_HOST_PASSWORD = env.env_str("DJANGO_EMAIL_PASSWORD", "", "SMTP password")
EMAIL_USE_TLS = env.env_bool("DJANGO_EMAIL_TLS", True, "STARTTLS to the SMTP server")
EMAIL_FILE_PATH = env.env_str("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"), "filebased dir")
DEFAULT_FROM_EMAIL = env.env_str(
    "DJANGO_DEFAULT_FROM_EMAIL", "registratura@example.org", "sender of the applicants' e-mails"
)
PERMITS_EMAIL_VERIFICATION = env.env_bool(
    "PERMITS_EMAIL_VERIFICATION", True, "filing without an account needs a verified e-mail"
)
# The web map's OpenStreetMap base layer needs internet: off unless enabled.
MAP_OSM_BASE_LAYER = env.env_bool("GISAPP_MAP_OSM", False, "offer OpenStreetMap as base layer")

# Digital archive (arhiva): OCR of scanned dossiers with OCRmyPDF + Tesseract (Debian).
ARHIVA_OCRMYPDF_BIN = env.env_str("ARHIVA_OCRMYPDF_BIN", "/usr/bin/ocrmypdf", "OCRmyPDF")
ARHIVA_PDFTOTEXT_BIN = env.env_str("ARHIVA_PDFTOTEXT_BIN", "/usr/bin/pdftotext", "poppler")
ARHIVA_OCR_LANGUAGES = env.env_str("ARHIVA_OCR_LANGUAGES", "ron", "Tesseract languages (a+b)")
ARHIVA_OCR_JOBS = env.env_int("ARHIVA_OCR_JOBS", 2, "pages OCR'd in parallel per file")
ARHIVA_OCR_OUTPUT_TYPE = env.env_str("ARHIVA_OCR_OUTPUT_TYPE", "pdfa", "pdfa (archival) or pdf")
ARHIVA_OCR_TIMEOUT = env.env_int("ARHIVA_OCR_TIMEOUT", 1800, "seconds allowed for one file")

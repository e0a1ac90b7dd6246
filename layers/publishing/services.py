"""Which mapfile a user gets, and keeping the generated mapfiles and the OWS role current."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from psycopg import sql

from layers.models import Layer
from layers.publishing.mapfile import (
    OwsDatabase,
    audience_key,
    public_layers,
    visible_layers,
    write_mapfile,
)

log = logging.getLogger(__name__)
_lock = threading.Lock()


def ows_dir() -> Path:
    return Path(settings.OWS_DIR)


def ows_db_password() -> str:
    """The OWS role's password: from the environment, else generated once under var/."""
    if settings.OWS_DB_PASSWORD:
        return settings.OWS_DB_PASSWORD
    path = Path(settings.VAR_DIR) / "ows_db_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def ows_database() -> OwsDatabase:
    """The current database (the test database in tests) seen through the OWS role."""
    db = connection.settings_dict
    return OwsDatabase(
        host=settings.OWS_DB_HOST or db.get("HOST") or "127.0.0.1",
        port=int(settings.OWS_DB_PORT or db.get("PORT") or 5432),
        dbname=db["NAME"],
        user=settings.OWS_DB_USER,
        password=ows_db_password(),
    )


def _role_can_connect(db: OwsDatabase) -> bool:
    try:
        psycopg.connect(
            host=db.host,
            port=db.port,
            dbname=db.dbname,
            user=db.user,
            password=db.password,
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError:
        return False
    return True


def ensure_ows_role(attempts: int = 5) -> None:
    """Create or update the OWS role: SELECT on schema `ows`, nothing else.

    Needs a database user allowed to create roles (the private cluster's superuser); in a
    managed database create the role once by hand and set OWS_DB_PASSWORD. Roles are
    cluster-wide and PostgreSQL refuses concurrent updates of one role ("tuple
    concurrently updated") from parallel set-ups, so the role is only altered when it
    cannot log in, and a lost race is retried.
    """
    db = ows_database()
    role = sql.Identifier(db.user)
    for attempt in range(attempts):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [db.user])
                exists = cursor.fetchone() is not None
                if not exists:
                    cursor.execute(
                        sql.SQL("CREATE ROLE {} LOGIN").format(role).as_string(cursor.connection)
                    )
                if not exists or not _role_can_connect(db):
                    cursor.execute(
                        sql.SQL(
                            "ALTER ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                            "PASSWORD {}"
                        )
                        .format(role, sql.Literal(db.password))
                        .as_string(cursor.connection)
                    )
                for statement in (
                    "GRANT CONNECT ON DATABASE {db} TO {role}",
                    "GRANT USAGE ON SCHEMA ows TO {role}",
                    "GRANT SELECT ON ALL TABLES IN SCHEMA ows TO {role}",
                ):
                    cursor.execute(
                        sql.SQL(statement)
                        .format(db=sql.Identifier(db.dbname), role=role)
                        .as_string(cursor.connection)
                    )
            return
        except (InternalError, IntegrityError, ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _layers_for_file(layers) -> list[Layer]:
    return list(layers.order_by("order", "name").prefetch_related("classes"))


def publish(layers, name: str | None = None) -> Path:
    """Write the mapfile for this layer set (named by its audience key)."""
    layer_list = _layers_for_file(layers)
    name = name or audience_key(layer.name for layer in layer_list)
    return write_mapfile(
        name=name,
        layers=layer_list,
        db=ows_database(),
        online_resource=settings.OWS_ONLINE_RESOURCE,
        out_dir=ows_dir(),
    )


def mapfile_for_user(user) -> Path:
    """The mapfile of the user's audience, generated on first use."""
    layers = visible_layers(user)
    key = audience_key(layers.values_list("name", flat=True))
    path = ows_dir() / f"{key}.map"
    if not path.exists():
        with _lock:
            if not path.exists():
                publish(layers, key)
    return path


def republish_all() -> list[Path]:
    """Regenerate after a registry change: the public and the all-layers mapfiles now,
    any other audience's on its next request."""
    directory = ows_dir()
    for stale in directory.glob("v-*.map"):
        stale.unlink(missing_ok=True)
    everything = Layer.objects.filter(enabled=True)
    written = [publish(public_layers(), "public"), publish(everything)]
    log.info("Republished %d mapfiles in %s", len(written), directory)
    return written

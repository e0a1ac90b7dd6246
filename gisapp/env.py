"""Every setting that comes from the environment, read in one place.

Each variable has a default that works on a developer's machine after `./stack run`
and a line of help; production overrides them (see docker/ and README).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GISAPP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str, help: str = "") -> str:
    """A string setting; `help` is documentation for readers of this module."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool, help: str = "") -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, help: str = "") -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str], help: str = "") -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def local_secret_key() -> str:
    """A per-checkout secret key, generated once under var/ and never committed."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def local_database_url() -> str:
    """The private cluster that `./stack` starts under var/pg (its port is recorded there)."""
    port_file = VAR_DIR / "pg" / "port"
    port = port_file.read_text().strip() if port_file.exists() else "5432"
    return f"postgis://postgres@127.0.0.1:{port}/gisapp"

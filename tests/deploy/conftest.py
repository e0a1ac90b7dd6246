"""A second, empty local PostgreSQL instance (restore drill, read replica)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from layers.publishing.stack import free_port

PGBIN = Path("/usr/lib/postgresql/15/bin")


class Cluster(str):
    """The base URL of a throw-away cluster, with its data directory."""

    data_dir: Path


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def second_cluster():
    """initdb + start a throw-away cluster on a free port; yields its base URL."""
    data = Path(tempfile.mkdtemp(prefix="gisapp-pg2-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(data, owner.pw_uid, owner.pw_gid)
    port = free_port()
    subprocess.run(
        _as_postgres(
            [
                str(PGBIN / "initdb"),
                "-D",
                str(data / "d"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                str(PGBIN / "pg_ctl"),
                "-D",
                str(data / "d"),
                "-w",
                "-l",
                str(data / "log"),
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        cluster = Cluster(f"postgresql://postgres@127.0.0.1:{port}")
        cluster.data_dir = data / "d"
        yield cluster
    finally:
        subprocess.run(
            _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data / "d"), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)

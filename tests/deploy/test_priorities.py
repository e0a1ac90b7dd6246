"""Interactive processes before background work: the job worker runs at a lower CPU
priority (natively and in the containers); gunicorn's size comes from the environment and
its workers fork from a master that has imported every view (a recycled worker is warm)."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db import connection

from gisapp import processes
from layers.management.commands.runstack import _local

ROOT = Path(__file__).resolve().parents[2]
SERVICES = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]


def test_the_worker_and_only_the_worker_is_niced():
    assert processes.WORKER_NICENESS > 0
    assert processes.WORKER[:3] == ["nice", "-n", str(processes.WORKER_NICENESS)]
    assert processes.WORKER[3:] == ["python", "manage.py", "procrastinate", "worker"]
    for command in (processes.WEB, processes.OWS):
        assert command[0] != "nice"


def test_containers_give_the_worker_a_smaller_cpu_share_than_web_and_ows():
    """Each container is its own cgroup: niceness orders processes inside it, the CPU
    weight orders the containers."""
    assert SERVICES["worker"]["command"] == processes.WORKER
    assert SERVICES["worker"]["cpu_shares"] < 1024  # docker's default weight
    for name in ("web", "ows"):
        assert SERVICES[name].get("cpu_shares", 1024) == 1024


def test_native_worker_command_runs_at_the_lower_priority():
    """`runstack --production` turns the command into this virtualenv's interpreter after
    the system's nice, and the process really runs niced."""
    command = _local([*processes.WORKER[:3], "python", "-c", "import os; print(os.nice(0))"])
    assert Path(command[0]).name == "nice" and Path(command[0]).is_absolute()
    assert command[3] == sys.executable
    niceness = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    expected = min(19, os.nice(0) + processes.WORKER_NICENESS)
    assert int(niceness.stdout) == expected


def _gunicorn_conf(**env: str) -> dict:
    saved = dict(os.environ)
    try:
        for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
            os.environ.pop(name, None)
        os.environ.update(env)
        return runpy.run_path(str(ROOT / "gisapp" / "gunicorn_conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_size_comes_from_the_environment():
    default = _gunicorn_conf()
    assert default["workers"] >= 2 and default["threads"] > 2
    sized = _gunicorn_conf(WEB_CONCURRENCY="3", GUNICORN_THREADS="6")
    assert (sized["workers"], sized["threads"]) == (3, 6)
    assert "GUNICORN_THREADS" in processes.ENVIRONMENT
    assert "rt=%(L)s" in default["access_log_format"]  # the bench reads gunicorn's own time


WARM_UP = """
import os, runpy, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisapp.settings")
import gisapp.wsgi  # what gunicorn preloads in the master
from django.db import connection
assert "layers.api_map" not in sys.modules
connection.ensure_connection()
conf = runpy.run_path("gisapp/gunicorn_conf.py")
server = type("Arbiter", (), {"cfg": type("Cfg", (), {"preload_app": conf["preload_app"]})()})()
conf["when_ready"](server)
print("layers.api_map" in sys.modules, "permits.api.views" in sys.modules, connection.connection)
"""


@pytest.mark.django_db
def test_gunicorn_master_imports_the_views_and_keeps_no_connection_for_the_workers():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT']}/{db['NAME']}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
    }
    result = subprocess.run(
        [sys.executable, "-c", WARM_UP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "None"]

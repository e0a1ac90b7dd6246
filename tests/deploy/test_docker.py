"""Docker cannot run here: check the production images and compose file statically against
the native production mode (same commands, same environment variables)."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import yaml

from gisapp import processes
from layers.management.commands.nginx_conf import docker_nginx_config

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
SERVICES = COMPOSE["services"]


def test_compose_has_the_production_services_with_health_checks_and_volumes():
    assert {"db", "web", "worker", "ows", "nginx", "migrate"} <= set(SERVICES)
    for name in ("db", "web", "worker", "ows", "nginx"):
        assert "healthcheck" in SERVICES[name], name
    assert {"pgdata", "gisdata"} <= set(COMPOSE["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]


def test_services_run_the_same_commands_as_the_native_production_mode():
    assert SERVICES["web"]["command"] == processes.WEB
    assert SERVICES["worker"]["command"] == processes.WORKER
    assert SERVICES["ows"]["command"] == processes.OWS
    steps = SERVICES["migrate"]["command"][-1].split(" && ")
    assert [shlex.split(step) for step in steps] == [
        processes.MIGRATE,
        processes.PUBLISH,
        processes.COLLECTSTATIC,
    ]


def test_environment_variables_are_the_ones_the_settings_read():
    env = SERVICES["web"]["environment"]
    assert set(env) == set(processes.ENVIRONMENT)
    sources = "".join(p.read_text() for p in (ROOT / "gisapp").glob("*.py"))
    for name in processes.ENVIRONMENT:
        assert f'"{name}"' in sources, f"{name} is not read by the settings"
    for service in ("worker", "ows", "migrate"):
        assert SERVICES[service]["environment"] == env


def test_images_are_multi_stage_debian_non_root():
    stages = re.findall(r"^FROM (\S+) AS (\w+)", DOCKERFILE, re.MULTILINE)
    assert {name for _, name in stages} == {"frontend", "builder", "runtime", "nginx"}
    runtime = DOCKERFILE.split("AS runtime")[1].split("AS nginx")[0]
    assert "debian:bookworm" in DOCKERFILE.split("AS builder")[1]
    for package in ("mapserver-bin", "libgdal32", "libpango-1.0-0", "fonts-dejavu-core"):
        assert package in runtime
    assert re.search(r"^USER gisapp$", runtime, re.MULTILINE)
    assert "nginx-light" in DOCKERFILE.split("AS nginx")[1]


def test_nginx_config_is_the_generated_one():
    assert (ROOT / "docker" / "nginx.conf").read_text() == docker_nginx_config()
    config = docker_nginx_config()
    assert "server web:8001" in config and "server ows:9000" in config
    assert "auth_request /_ows_auth" in config
    assert "location /static/ { alias /var/lib/gisapp/static/" in config


def test_the_image_holds_every_app_and_the_system_tools_they_call():
    """Each package pyproject installs is copied into the build stage, and the runtime stage
    has the Debian tools the apps run (OCR for the archive, pdftotext, MapServer)."""
    builder = DOCKERFILE.split("AS builder")[1].split("AS runtime")[0]
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package in include["packages"]["find"]["include"]:
        name = package.rstrip("*")
        assert f"COPY {name} {name}" in builder, name
    runtime = DOCKERFILE.split("AS runtime")[1].split("AS nginx")[0]
    for tool in ("ocrmypdf", "tesseract-ocr-ron", "poppler-utils", "mapserver-bin"):
        assert tool in runtime, tool

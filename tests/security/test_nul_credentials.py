"""Credentials with a NUL byte (schemathesis found them): the login throttle must not
try to store them — a refusal, never a server error, on the API and on QGIS's /ows."""

from __future__ import annotations

import base64

import pytest

pytestmark = pytest.mark.django_db

NUL_LOGINS = [("demo\x00officer", "x"), ("demo.officer", "pa\x00rola")]


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize(("username", "password"), NUL_LOGINS)
@pytest.mark.parametrize(
    "path", ["/api/registratura/kinds/", "/api/permits/applications/", "/api/arhiva/"]
)
def test_api_refuses_nul_credentials(client, path, username, password):
    response = client.get(path, HTTP_AUTHORIZATION=_basic(username, password))
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(("username", "password"), NUL_LOGINS)
def test_ows_refuses_nul_credentials(client, username, password):
    response = client.get("/ows-auth/", HTTP_AUTHORIZATION=_basic(username, password))
    assert response.status_code == 401

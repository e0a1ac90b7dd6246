"""Login throttling and CSRF, on every way in."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
OFFICER = ("demo.officer", "demo-parola-2024")


def _login(client: Client, password: str, ip: str = "10.9.8.7"):
    return client.post(
        reverse("admin:login"),
        {"username": OFFICER[0], "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_admin_login_is_locked_after_repeated_failures():
    client = Client()
    assert _login(client, OFFICER[1]).status_code == 302  # the right password works
    client.logout()
    for _ in range(4):
        assert _login(client, "greșit").status_code == 200  # the form again
    assert _login(client, "greșit").status_code == 429  # the fifth failure locks
    locked = _login(client, OFFICER[1])
    assert locked.status_code == 429
    assert _login(Client(), OFFICER[1], ip="10.9.8.8").status_code == 302  # another client


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_ows_basic_auth_is_throttled_too(client):
    url = reverse("layers:ows-auth")
    ok = client.get(url, HTTP_AUTHORIZATION=_basic(*OFFICER), REMOTE_ADDR="10.1.1.1")
    assert ok.status_code == 204
    for attempt in range(5):
        bad = client.get(url, HTTP_AUTHORIZATION=_basic(OFFICER[0], "x"), REMOTE_ADDR="10.1.1.1")
        assert bad.status_code == (401 if attempt < 4 else 429)
    locked = client.get(url, HTTP_AUTHORIZATION=_basic(*OFFICER), REMOTE_ADDR="10.1.1.1")
    assert locked.status_code in (401, 429)
    assert "X-Mapfile" not in locked


def test_forms_need_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403


def test_session_authenticated_api_writes_need_a_csrf_token(django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.get(username=OFFICER[0]))
    response = client.post(
        reverse("layers:analysis"),
        {"parcels": [{"uat": 900001, "cadastral_number": "50001"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()

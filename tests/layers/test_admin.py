"""The GeoDjango admin shows the demo county with map widgets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from layers.models import CountyRoad, Parcel, Zone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "uat",
        "intravilan",
        "parcel",
        "building",
        "countyroad",
        "roadzone",
        "zone",
        "restriction",
        "urbanplan",
        "roadzonerule",
    ],
)
def test_changelists_render(admin_client, model):
    response = admin_client.get(reverse(f"admin:layers_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Parcel, CountyRoad, Zone])
def test_change_form_has_a_map_widget(admin_client, model):
    obj = model.objects.order_by("pk").first()
    url = reverse(f"admin:layers_{model._meta.model_name}_change", args=[obj.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"ol.js" in response.content or b"olwidget" in response.content.lower()


def test_parcel_search_by_cadastral_number(admin_client):
    parcel = Parcel.objects.order_by("pk").first()
    response = admin_client.get(
        reverse("admin:layers_parcel_changelist"), {"q": parcel.cadastral_number}
    )
    assert parcel.address.encode() in response.content


def test_officer_sees_the_admin(client, officer):
    client.force_login(officer)
    assert client.get(reverse("admin:layers_parcel_changelist")).status_code == 200

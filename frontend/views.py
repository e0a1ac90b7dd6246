"""Pages of the front-end: the officers' web map, the citizen portal and its parcel
status pages, login. Views are thin: data come from layers.api_map."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from rest_framework import serializers

from frontend.i18n import js_catalog, romanian_by_default
from frontend.summary import parcel_summary
from layers.access import is_officer
from layers.api_map import (
    map_config,
    parcel_by_ref,
    parcel_card,
    parcel_id_at,
    search,
    storage_point,
)
from layers.models import Parcel

LOGIN_URL = reverse_lazy("frontend:login")


def _map_config(request: HttpRequest) -> dict:
    """The map API's configuration, wired to the permits API mounted in this project (the
    layers app knows it only as a setting) and to the optional OpenStreetMap base layer."""
    config = map_config(request.user)
    permits = _permits_urls()
    config["api"]["applications"] = permits["applications"]
    config["api"]["application_form"] = permits["apply"]
    config["api"]["application_page"] = permits["detail"]
    if settings.MAP_OSM_BASE_LAYER:
        _add_osm_base_layer(config)
    return config


def _add_osm_base_layer(config: dict) -> None:
    """OpenStreetMap tiles under the orthophoto, off at first (needs internet; the browser
    reprojects the tiles to Stereo 70)."""
    spec = {
        "name": "osm",
        "title": "OpenStreetMap",
        "geometry_type": "raster",
        "base": True,
        "visible": False,
        "opacity": 1.0,
        "min_scale": None,
        "max_scale": None,
        "legend": None,
        "source": "osm",
    }
    for group in config["groups"]:
        if group["name"] == "fundal":
            group["layers"].append(spec)
            return
    config["groups"].append({"name": "fundal", "title": str(_("Fundal")), "layers": [spec]})


def _page_context(request: HttpRequest, **extra) -> dict:
    return {
        "map_config": _map_config(request),
        "i18n": js_catalog(request.LANGUAGE_CODE),
        **extra,
    }


@require_safe
@romanian_by_default
@login_required(login_url=LOGIN_URL)
def officer_map(request: HttpRequest) -> HttpResponse:
    """The officers' web map: all layers they may see, identify, search, tools, print."""
    if not is_officer(request.user):
        raise PermissionDenied("Harta funcționarilor este disponibilă doar funcționarilor.")
    return render(request, "frontend/map.html", _page_context(request, page="officer"))


@require_safe
@romanian_by_default
def portal(request: HttpRequest) -> HttpResponse:
    """The citizen portal: find a parcel by number or on the map and read its status."""
    query = request.GET.get("q", "").strip()[:200]
    results = [r for r in search(query) if r["kind"] == "parcel"] if query else []
    return render(
        request,
        "frontend/portal.html",
        _page_context(
            request,
            page="portal",
            query=query,
            results=results,
            status_base=reverse("frontend:parcel-status", args=[1, "x"]).rsplit("1/x/", 1)[0],
        ),
    )


def _status_response(request: HttpRequest, parcel: Parcel) -> HttpResponse:
    card = parcel_card(parcel, officer=False)
    context = {"summary": parcel_summary(card), "card": card}
    if request.GET.get("fragment") == "1":
        return render(request, "frontend/_parcel_status.html", context)
    return render(request, "frontend/parcel_status.html", context)


@require_safe
@romanian_by_default
def parcel_status(request: HttpRequest, siruta: int, number: str) -> HttpResponse:
    """Public status of a parcel: zone, rules in plain language, restrictions, approvals,
    road zone. Never owners or applicants."""
    parcel = parcel_by_ref(siruta, number)
    if parcel is None:
        raise Http404("Imobil inexistent")
    return _status_response(request, parcel)


@require_safe
@romanian_by_default
def parcel_status_at(request: HttpRequest) -> HttpResponse:
    """The parcel status of the parcel under a map click (x, y in EPSG:3844)."""
    try:
        point = storage_point(float(request.GET["x"]), float(request.GET["y"]))
    except (KeyError, ValueError, serializers.ValidationError) as exc:
        raise Http404("Punct invalid") from exc
    pid = parcel_id_at(point)
    if pid is None:
        return render(request, "frontend/_no_parcel.html", status=404)
    return _status_response(request, Parcel.objects.select_related("uat").get(pk=pid))


def _permits_urls() -> dict[str, str]:
    """The permits API, by URL name (HTTP only: the front-end never imports permits)."""

    def url(name: str, fallback: str) -> str:
        try:
            return reverse(name)
        except NoReverseMatch:
            return fallback

    applications = url("permits:application-list", "/api/permits/applications/")
    return {
        "applications": applications,
        "file": url("permits:application-file", f"{applications}file/"),
        "kinds": url("permits:kind-list", "/api/permits/kinds/"),
        "track": url("permits:track", "/api/permits/track/"),
        # paper requests (the receipt's key) and the archived acts answering a request
        "register_track": url("registratura_api:track", "/api/registratura/track/"),
        "archive_track": url("arhiva_api:track", "/api/arhiva/track/"),
        # prefix of <id>/pdf/ (an archived act)
        "archive_acts": url("arhiva_api:detail", "/api/arhiva/acte/1/").rsplit("1/", 1)[0],
        "verify": url("permits:verify-email", "/api/permits/verify-email/"),
        "map": reverse("frontend:map"),
        "portal": reverse("frontend:portal"),
        "apply": reverse("frontend:apply"),
        "queue": reverse("frontend:queue"),
        # prefix of <public id>/ (the officers' application page)
        "detail": reverse("frontend:queue"),
        "parcel": reverse("layers_map:parcel", args=[1, "x"]).rsplit("1/x/", 1)[0],
        "identify": reverse("layers_map:identify"),
        "upload_max_mb": settings.UPLOAD_MAX_MB,
        "max_attachments": getattr(settings, "PERMITS_MAX_ATTACHMENTS", 30),
    }


def _permits_page(request: HttpRequest, template: str, entry: str, **extra) -> HttpResponse:
    return render(
        request,
        template,
        {
            "entry": entry,
            "permits": _permits_urls(),
            "i18n": js_catalog(request.LANGUAGE_CODE),
            **extra,
        },
    )


@require_safe
@romanian_by_default
@login_required(login_url=LOGIN_URL)
def work_queue(request: HttpRequest) -> HttpResponse:
    """Officers' work queue: applications by state, deadline first (permits API)."""
    if not is_officer(request.user):
        raise PermissionDenied("Lista de lucru este disponibilă doar funcționarilor.")
    return _permits_page(request, "frontend/queue.html", "queue")


@require_safe
@romanian_by_default
@login_required(login_url=LOGIN_URL)
def application_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One application for officers: subject on a map, applicant, analysis, documents,
    history and the workflow actions (all through the permits API, which decides)."""
    if not is_officer(request.user):
        raise PermissionDenied("Cererile sunt disponibile doar funcționarilor.")
    return _permits_page(
        request,
        "frontend/application.html",
        "application",
        application_id=str(public_id),
        map_config=_map_config(request),
    )


@require_safe
@romanian_by_default
def tracking(request: HttpRequest) -> HttpResponse:
    """Citizens follow a request by registration number and access key: an online
    application, or a paper one registered at the front desk, with the archived acts
    answering it."""
    return _permits_page(request, "frontend/track.html", "track")


@require_safe
@romanian_by_default
def new_application(request: HttpRequest) -> HttpResponse:
    """Filing form: parcels, footprint and access point picked on a map (or taken over
    from the officers' map draft), the kind's fields and documents, then one request."""
    return _permits_page(
        request,
        "frontend/apply.html",
        "apply",
        map_config=_map_config(request),
        verification=bool(settings.PERMITS_EMAIL_VERIFICATION)
        and not request.user.is_authenticated,
    )


class LoginView(auth_views.LoginView):
    template_name = "frontend/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("frontend:map")

    @method_decorator(romanian_by_default)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("frontend:portal")

"""The access check in front of /ows: which mapfile may this caller use?

nginx asks this view (auth_request) before every OGC request and passes the mapfile path
it returns to MapServer as MS_MAPFILE; the path never comes from the request. Officers
authenticate with their Django session (web map) or HTTP Basic (QGIS).
"""

from __future__ import annotations

import base64
import binascii

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from layers.access import storable_credentials
from layers.publishing.services import mapfile_for_user

REALM = 'Basic realm="Servicii OGC", charset="UTF-8"'


def _unauthorized() -> HttpResponse:
    response = HttpResponse("Autentificare necesară.", status=401)
    response["WWW-Authenticate"] = REALM
    return response


def _basic_user(request: HttpRequest):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(token).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    if not storable_credentials(username, password):
        return False
    return authenticate(request, username=username, password=password) or False


@never_cache
@require_GET
def ows_auth(request: HttpRequest) -> HttpResponse:
    user = request.user
    if "HTTP_AUTHORIZATION" in request.META:
        basic = _basic_user(request)
        if basic is False:
            return _unauthorized()
        if basic is not None:
            user = basic
    response = HttpResponse(status=204)
    response["X-Mapfile"] = str(mapfile_for_user(user))
    return response

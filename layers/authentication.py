"""HTTP Basic authentication for the API (QGIS and scripts), safe before the login
throttle: credentials PostgreSQL cannot store are refused as wrong, not a server error."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions

from layers.access import storable_credentials


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        if not storable_credentials(userid, password):
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)


class BasicAuthenticationScheme(BasicScheme):
    """The OpenAPI schema documents it as plain HTTP Basic (drf-spectacular extension)."""

    target_class = BasicAuthentication

"""Serializers of the portal's filing (one multipart request: the form as JSON plus the
files), of the e-mail verification and of the officers' list rows."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import serializers

from permits.api.serializers import ApplicationInputSerializer
from permits.models import Application
from permits.services.attachments import max_bytes
from permits.services.filing import Upload

FILE_FIELD_PREFIX = "document:"


class FilingSerializer(serializers.Serializer):
    """`application`: the same JSON as a draft; files: fields `document:<code>` (a
    required document of the kind) or `document:` (anything else)."""

    application = serializers.CharField(help_text="JSON, ca la crearea unei ciorne")

    def validate_application(self, value: str) -> dict:
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise serializers.ValidationError(_("JSON invalid.")) from exc
        inner = ApplicationInputSerializer(data=data)
        inner.is_valid(raise_exception=True)
        return dict(inner.validated_data)


def uploads_from(files) -> list[Upload]:
    """The request's files as Uploads, in the order sent (size already bounded by
    Django's upload handlers and checked again by the filing service)."""
    uploads = []
    for field, items in files.lists():
        if not field.startswith(FILE_FIELD_PREFIX):
            continue
        code = field[len(FILE_FIELD_PREFIX) :] or None
        for item in items:
            too_large = item.size > max_bytes()
            data = b"" if too_large else item.read()  # too large: refused without reading
            uploads.append(
                Upload(name=item.name or "", data=data, document=code, too_large=too_large)
            )
    return uploads


class FiledSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind_name = serializers.CharField()
    registration_number = serializers.CharField()
    registered_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    access_key = serializers.CharField(help_text="Cheia de urmărire; nu se mai afișează.")
    emailed = serializers.BooleanField(help_text="confirmarea a fost trimisă prin e-mail")


class VerifyEmailSerializer(serializers.Serializer):
    email = serializers.EmailField()
    code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="gol: trimite un cod"
    )


class OfficerListSerializer(serializers.ModelSerializer):
    """A row of the work queue, the parcel card and the registration search."""

    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField(source="kind.code")
    kind_name = serializers.CharField(source="kind.name")
    family = serializers.CharField(source="kind.family")
    state_label = serializers.CharField(source="get_state_display")
    registration_number = serializers.CharField(source="registration_label", default=None)
    registration_date = serializers.SerializerMethodField()
    parcels = serializers.SerializerMethodField()
    parcel = serializers.SerializerMethodField()
    cadastral_numbers = serializers.SerializerMethodField()
    geometry = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "kind_name",
            "family",
            "state",
            "state_label",
            "registration_number",
            "registration_date",
            "due_date",
            "needs_reanalysis",
            "parcels",
            "parcel",
            "cadastral_numbers",
            "geometry",
            "created_at",
        ]

    def get_registration_date(self, app) -> str | None:
        if not app.registration_id:
            return None
        from django.utils import timezone

        return f"{timezone.localtime(app.registration.registered_at):%d.%m.%Y}"

    def get_parcels(self, app) -> list[str]:
        return [f"{p.siruta}:{p.cadastral_number}" for p in app.parcels.all()]

    def get_parcel(self, app) -> str | None:
        refs = self.get_parcels(app)
        return refs[0] if refs else None

    def get_cadastral_numbers(self, app) -> list[str]:
        return [p.cadastral_number for p in app.parcels.all()]

    def get_geometry(self, app) -> dict | None:
        """The drawn subject in the storage CRS (the map's), for zooming to it."""
        geom = app.footprint or app.access_point
        return json.loads(geom.geojson) if geom is not None else None

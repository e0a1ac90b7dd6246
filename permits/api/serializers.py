"""Serializers: input validation and the two views of an application. The public one
(applicant, tracking) never holds the applicant's personal data; only officers get it."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from layers.api import CRS_ALIASES, parse_geojson
from permits.models import (
    Applicant,
    Application,
    ApplicationEvent,
    ApplicationKind,
    Attachment,
    Dossier,
    Purpose,
    RequiredDocument,
)
from permits.services.attachments import missing_documents
from registratura.services.deadlines import local_date


# Kinds ----------------------------------------------------------------------------------
class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["code", "name", "mandatory"]


class KindSerializer(serializers.ModelSerializer):
    documents = RequiredDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ApplicationKind
        fields = [
            "code",
            "name",
            "act_name",
            "family",
            "legal_basis",
            "deadline_days",
            "extended_deadline_days",
            "needs_subject",
            "asks_purpose",
            "asks_building",
            "asks_access",
            "validity_months_min",
            "validity_months_max",
            "notes",
            "documents",
        ]


# Input ----------------------------------------------------------------------------------
class ApplicantInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Applicant
        fields = ["kind", "name", "id_code", "representative", "address", "email", "phone"]

    def validate(self, attrs):
        if not self.partial and not (attrs.get("email") or attrs.get("phone")):
            raise serializers.ValidationError(_("Indicați un e-mail sau un telefon de contact."))
        return attrs


class ParcelRefSerializer(serializers.Serializer):
    uat = serializers.IntegerField(help_text="Codul SIRUTA al UAT")
    cadastral_number = serializers.CharField(max_length=30)
    land_book_number = serializers.CharField(max_length=30, required=False, allow_blank=True)


class ApplicationInputSerializer(serializers.Serializer):
    """A draft: everything optional on update; geometries as GeoJSON in `crs`."""

    kind = serializers.SlugRelatedField(
        slug_field="code", queryset=ApplicationKind.objects.filter(active=True)
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False, allow_blank=True)
    purpose_detail = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    applicant = ApplicantInputSerializer()
    parcels = ParcelRefSerializer(many=True, required=False)
    crs = serializers.ChoiceField(choices=sorted(CRS_ALIASES), default="EPSG:4326")
    footprint = serializers.JSONField(
        required=False, allow_null=True, help_text="GeoJSON Polygon/MultiPolygon în `crs`"
    )
    access_point = serializers.JSONField(
        required=False, allow_null=True, help_text="GeoJSON Point în `crs`"
    )
    built_area = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    floor_area = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    height = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    levels = serializers.IntegerField(min_value=0, max_value=200, required=False, allow_null=True)
    proposed_use = serializers.CharField(max_length=200, required=False, allow_blank=True)
    traffic_generating = serializers.BooleanField(required=False)

    def validate(self, attrs):
        crs = attrs.get("crs", "EPSG:4326")
        for name in ("footprint", "access_point"):
            if attrs.get(name) is not None:
                attrs[name] = parse_geojson(attrs[name], crs)
        attrs.pop("crs", None)
        return attrs


class ActionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    revision = serializers.IntegerField(
        required=False, help_text="revizia văzută de client; alta ⇒ 409"
    )


class CompletionRequestSerializer(ActionSerializer):
    missing = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list
    )


class IssueSerializer(ActionSerializer):
    validity_months = serializers.IntegerField(required=False, min_value=1, max_value=120)


class ExtendSerializer(ActionSerializer):
    months = serializers.IntegerField(min_value=1, max_value=24)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    document = serializers.SlugField(required=False, allow_blank=True)


class TrackSerializer(serializers.Serializer):
    registration_number = serializers.CharField(max_length=40, help_text="ex. U-12/2025")
    access_key = serializers.CharField(max_length=100)


# Output ---------------------------------------------------------------------------------
def geojson_4326(geom) -> dict | None:
    if geom is None:
        return None
    return json.loads(geom.transform(settings.API_SRID, clone=True).geojson)


class PublicEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display")
    state_label = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationEvent
        fields = ["at", "action", "action_label", "to_state", "state_label", "role", "reason"]

    def get_state_label(self, event) -> str:
        from permits.workflow import State

        return State(event.to_state).label if event.to_state else ""


class OfficerEventSerializer(PublicEventSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta(PublicEventSerializer.Meta):
        fields = [*PublicEventSerializer.Meta.fields, "from_state", "actor", "data", "public"]


class PublicAttachmentSerializer(serializers.ModelSerializer):
    document = serializers.CharField(source="document.code", default=None)

    class Meta:
        model = Attachment
        fields = ["id", "document", "content_type", "size", "sha256", "uploaded_at"]


class OfficerAttachmentSerializer(PublicAttachmentSerializer):
    class Meta(PublicAttachmentSerializer.Meta):
        fields = [*PublicAttachmentSerializer.Meta.fields, "original_name"]


class DossierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dossier
        fields = ["version", "sha256", "size", "pages", "created_at"]


class PublicApplicationSerializer(serializers.ModelSerializer):
    """What the applicant (account or access key) and the tracking page see."""

    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField(source="kind.code")
    kind_name = serializers.CharField(source="kind.name")
    state_label = serializers.CharField(source="get_state_display")
    registration_number = serializers.CharField(source="registration_label", default=None)
    registered_at = serializers.DateTimeField(source="registration.registered_at", default=None)
    days_left = serializers.SerializerMethodField()
    parcels = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    act = serializers.SerializerMethodField()
    assembly = serializers.SerializerMethodField()
    dossiers = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    footprint = serializers.SerializerMethodField()
    access_point = serializers.SerializerMethodField()

    event_serializer = PublicEventSerializer
    attachment_serializer = PublicAttachmentSerializer

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "kind_name",
            "state",
            "state_label",
            "revision",
            "purpose",
            "purpose_detail",
            "description",
            "location",
            "registration_number",
            "registered_at",
            "deadline_days",
            "due_date",
            "days_left",
            "clock_running",
            "clock_days_used",
            "parcels",
            "footprint",
            "access_point",
            "built_area",
            "floor_area",
            "height",
            "levels",
            "proposed_use",
            "traffic_generating",
            "missing_documents",
            "attachments",
            "events",
            "act",
            "assembly",
            "dossiers",
            "needs_reanalysis",
            "analysis",
        ]

    def get_days_left(self, app) -> int | None:
        return app.clock.days_left(local_date(timezone.now()))

    def get_parcels(self, app) -> list[dict]:
        return [
            {
                "uat": p.siruta,
                "cadastral_number": p.cadastral_number,
                "land_book_number": p.land_book_number,
            }
            for p in app.parcels.all()
        ]

    def get_footprint(self, app) -> dict | None:
        return geojson_4326(app.footprint)

    def get_access_point(self, app) -> dict | None:
        return geojson_4326(app.access_point)

    def _events(self, app):
        return app.events.filter(public=True)

    def get_events(self, app) -> list[dict]:
        return self.event_serializer(self._events(app), many=True).data

    def get_attachments(self, app) -> list[dict]:
        attachments = app.attachments.select_related("document")
        return self.attachment_serializer(attachments, many=True).data

    def get_missing_documents(self, app) -> list[dict]:
        return missing_documents(app)

    def get_act(self, app) -> dict | None:
        act = getattr(app, "act", None)
        if act is None:
            return None
        return {
            "number": act.registration.label,
            "issued_at": act.issued_at,
            "validity_months": act.validity_months,
            "valid_until": act.valid_until,
            "extended_until": act.extended_until,
        }

    def get_assembly(self, app) -> dict | None:
        run = app.assembly_runs.order_by("-created_at", "-pk").first()
        if run is None:
            return None
        return {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "step": run.step,
            "warnings": run.warnings,
            "error": run.error if self.context.get("officer") else bool(run.error),
            "created_at": run.created_at,
            "finished_at": run.finished_at,
        }

    def get_dossiers(self, app) -> list[dict]:
        return DossierSerializer(app.dossiers.order_by("-version"), many=True).data


class OfficerApplicationSerializer(PublicApplicationSerializer):
    """Everything, including the applicant's personal data: officers only."""

    applicant = ApplicantInputSerializer(read_only=True)
    owner = serializers.CharField(source="owner.username", default=None)

    event_serializer = OfficerEventSerializer
    attachment_serializer = OfficerAttachmentSerializer

    class Meta(PublicApplicationSerializer.Meta):
        fields = [*PublicApplicationSerializer.Meta.fields, "applicant", "owner", "submitted_at"]

    def _events(self, app):
        return app.events.select_related("actor")


class ApplicationListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField(source="kind.code")
    registration_number = serializers.CharField(source="registration_label", default=None)
    cadastral_numbers = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "state",
            "registration_number",
            "due_date",
            "needs_reanalysis",
            "cadastral_numbers",
            "created_at",
        ]

    def get_cadastral_numbers(self, app) -> list[str]:
        return [p.cadastral_number for p in app.parcels.all()]


class CreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.CharField()
    access_key = serializers.CharField(help_text="Păstrați cheia: nu se mai afișează.")


class SubmittedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    registration_number = serializers.CharField()
    registered_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    access_key = serializers.CharField(
        help_text="Cheia de urmărire; înlocuiește cheia ciornei. Nu se mai afișează."
    )

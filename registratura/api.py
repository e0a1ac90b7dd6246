"""API of the register of documents (/api/registratura/): for officers, list and search,
front-desk entry (JSON or multipart with the scan), detail, outgoing answers and a new
tracking key; for the sender of a request, its state by number and tracking key."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from registratura import selectors
from registratura.access import is_registry_officer
from registratura.forms import OUTGOING_KINDS
from registratura.models import Department, Document, DocumentKind, Register
from registratura.services import documents as services
from registratura.services.uploads import AttachmentRefused


class IsRegistryOfficer(BasePermission):
    message = "Doar funcționarii au acces la registratură."

    def has_permission(self, request, view) -> bool:
        return is_registry_officer(request.user)


class Pagination(PageNumberPagination):
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"


class CorrespondentSerializer(serializers.Serializer):
    name = serializers.CharField(source="correspondent_name")
    address = serializers.CharField(source="correspondent_address")
    contact = serializers.CharField(source="correspondent_contact")


class DocumentSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="entry.label")
    register = serializers.CharField(source="entry.register.code")
    year = serializers.IntegerField(source="entry.year")
    registered_at = serializers.DateTimeField(source="entry.registered_at")
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", default=None)
    correspondent = CorrespondentSerializer(source="*")
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True)
    in_reply_to = serializers.CharField(source="in_reply_to.entry.label", default=None)
    answers = serializers.SerializerMethodField()
    scan_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "number",
            "register",
            "year",
            "registered_at",
            "direction",
            "channel",
            "kind",
            "kind_name",
            "correspondent",
            "subject",
            "pages",
            "department",
            "assigned_to",
            "due_date",
            "status",
            "resolved_at",
            "in_reply_to",
            "answers",
            "scan_url",
            "file_type",
            "notes",
        ]
        read_only_fields = fields

    def get_answers(self, document: Document) -> list[str]:
        return [a.entry.label for a in document.answers.all()]

    def get_scan_url(self, document: Document) -> str | None:
        return reverse("registratura:scan", args=[document.pk]) if document.file else None


class EntryInputSerializer(serializers.Serializer):
    """A front-desk entry; `scan` only with multipart/form-data."""

    register = serializers.SlugRelatedField(
        slug_field="code", queryset=Register.objects.all(), required=False
    )
    kind = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DocumentKind.objects.filter(active=True).exclude(code__in=OUTGOING_KINDS),
    )
    channel = serializers.ChoiceField(
        choices=Document.Channel.choices, help_text="online: only through the permit portal"
    )
    correspondent_name = serializers.CharField(max_length=200)
    correspondent_address = serializers.CharField(max_length=300, required=False, default="")
    correspondent_contact = serializers.CharField(max_length=200, required=False, default="")
    subject = serializers.CharField(max_length=500)
    pages = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(active=True), required=False
    )
    assigned_to = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
    )
    scan = serializers.FileField(required=False)
    notes = serializers.CharField(required=False, default="", allow_blank=True)

    def validate_channel(self, value: str) -> str:
        if value == Document.Channel.ONLINE:
            raise serializers.ValidationError("Cererile online se depun prin portal.")
        return value


class AnswerInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Document.Channel.choices)
    correspondent_name = serializers.CharField(max_length=200, required=False)
    correspondent_address = serializers.CharField(max_length=300, required=False)
    correspondent_contact = serializers.CharField(max_length=200, required=False)
    subject = serializers.CharField(max_length=500)
    resolves = serializers.BooleanField(default=True)
    scan = serializers.FileField(required=False)


class DocumentKindSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DocumentKind
        fields = [
            "code",
            "name",
            "legal_basis",
            "deadline_days",
            "extended_deadline_days",
            "department",
        ]


def _refused(exc: DjangoValidationError | AttachmentRefused) -> Response:
    if isinstance(exc, AttachmentRefused):
        return Response({"scan": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


SEARCH_PARAMETERS = [
    OpenApiParameter("number", str, description="RG-12/2026, 12/2026 or 12"),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
    OpenApiParameter("sender", str),
    OpenApiParameter("subject", str),
    OpenApiParameter("status", str, enum=Document.Status.values),
    OpenApiParameter("direction", str, enum=Document.Direction.values),
    OpenApiParameter("register", str),
    OpenApiParameter("department", str),
]


class SearchParams(serializers.Serializer):
    number = serializers.CharField(required=False, default="")
    date_from = serializers.DateField(required=False, default=None)
    date_to = serializers.DateField(required=False, default=None)
    sender = serializers.CharField(required=False, default="")
    subject = serializers.CharField(required=False, default="")
    status = serializers.ChoiceField(Document.Status.choices, required=False, default="")
    direction = serializers.ChoiceField(Document.Direction.choices, required=False, default="")
    register = serializers.CharField(required=False, default="")
    department = serializers.CharField(required=False, default="")


class KeySerializer(serializers.Serializer):
    number = serializers.CharField()
    access_key = serializers.CharField(help_text="Se afișează o singură dată.")


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsRegistryOfficer]
    serializer_class = DocumentSerializer
    pagination_class = Pagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "list":
            params = SearchParams(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            return selectors.search(selectors.Search(**params.validated_data)).prefetch_related(
                "answers__entry__register"
            )
        return selectors.documents().prefetch_related("answers__entry__register")

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={
            "application/json": EntryInputSerializer,
            "multipart/form-data": EntryInputSerializer,
        },
        responses={201: DocumentSerializer},
    )
    def create(self, request: Request) -> Response:
        data = EntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            document = services.register_incoming_input(v, user=request.user)
        except (DjangoValidationError, AttachmentRefused) as exc:
            return _refused(exc)
        key = document.access_key
        document = selectors.documents().get(pk=document.pk)
        data = DocumentSerializer(document).data | {"access_key": key}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "application/json": AnswerInputSerializer,
            "multipart/form-data": AnswerInputSerializer,
        },
        responses={201: DocumentSerializer},
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str) -> Response:
        """Register an outgoing answer to this incoming document."""
        incoming = self.get_object()
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            answer = services.register_outgoing_input(incoming, v, user=request.user)
        except (DjangoValidationError, AttachmentRefused) as exc:
            return _refused(exc)
        answer = selectors.documents().get(pk=answer.pk)
        return Response(DocumentSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: KeySerializer})
    @action(detail=True, methods=["post"], url_path="reset-key")
    def reset_key(self, request: Request, pk: str) -> Response:
        """A new tracking key for the sender of a desk request who lost theirs."""
        document = self.get_object()
        try:
            key = services.reset_access_key(document=document, user=request.user)
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response({"number": document.entry.label, "access_key": key})


class TrackThrottle(AnonRateThrottle):
    """Tracking by number + key: tighter than the general anonymous rate."""

    scope = "registratura_track"
    rate = "30/minute"

    def get_rate(self) -> str:
        return self.rate


class RegisterTrackSerializer(serializers.Serializer):
    registration_number = serializers.CharField(max_length=40)
    access_key = serializers.CharField(max_length=100)


def tracked_request_or_404(data) -> Document:
    """The incoming request named by a tracking body (number + key); an unknown number and
    a wrong key get the same 404, here and in the archive's tracking."""
    body = RegisterTrackSerializer(data=data)
    body.is_valid(raise_exception=True)
    document = selectors.tracked_request(
        label=body.validated_data["registration_number"], key=body.validated_data["access_key"]
    )
    if document is None:
        raise NotFound(_("Număr de înregistrare sau cheie de acces greșite."))
    return document


class PublicAnswerSerializer(serializers.Serializer):
    registration_number = serializers.CharField(source="entry.label")
    date = serializers.DateTimeField(source="entry.registered_at")


class PublicDocumentSerializer(serializers.Serializer):
    """What the sender of a request sees: its state, never the register's personal data
    (correspondent, subject written by the clerk, officer, notes)."""

    registration_number = serializers.CharField(source="entry.label")
    registered_at = serializers.DateTimeField(source="entry.registered_at")
    kind_name = serializers.CharField(source="kind.name", default=None)
    channel = serializers.CharField()
    channel_label = serializers.CharField(source="get_channel_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    due_date = serializers.DateField()
    resolved_at = serializers.DateTimeField()
    answers = PublicAnswerSerializer(many=True)


class TrackView(APIView):
    """The state of an incoming request (a paper one from the front desk, or an online
    one) by its registration number and the tracking key on its receipt."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(request=RegisterTrackSerializer, responses=PublicDocumentSerializer)
    def post(self, request: Request) -> Response:
        return Response(PublicDocumentSerializer(tracked_request_or_404(request.data)).data)


class KindViewSet(viewsets.ReadOnlyModelViewSet):
    """Document kinds and their legal deadlines (officers only, like the register)."""

    permission_classes = [IsRegistryOfficer]
    serializer_class = DocumentKindSerializer
    queryset = DocumentKind.objects.filter(active=True).select_related("department")
    lookup_field = "code"
    pagination_class = None

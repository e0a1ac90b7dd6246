"""API views: identify who asks (officer, applicant by account or access key, nobody),
call a service, serialise. An application that the caller may not see is a 404, so its
existence does not leak."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from layers.access import is_officer
from layers.analysis import InvalidSubject, UnknownParcel
from permits import selectors
from permits.api import filing as f
from permits.api import serializers as s
from permits.models import Application, ApplicationKind
from permits.services import applications as services
from permits.services import filing
from permits.services.assembly import request_assembly
from permits.services.attachments import AttachmentRefused, add_attachment
from permits.workflow import State, WorkflowConflict

KEY_HEADER = "X-Access-Key"
KEY_PARAMETER = OpenApiParameter(
    KEY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Cheia de acces a solicitantului fără cont",
)


class TrackThrottle(AnonRateThrottle):
    """Tracking by number + key: tighter than the general anonymous rate."""

    scope = "permits_track"
    rate = "30/minute"

    def get_rate(self) -> str:
        return self.rate


class ServiceErrorsMixin:
    """Business errors of the services as HTTP answers."""

    def handle_exception(self, exc):
        if isinstance(exc, filing.FilingError):
            return Response(
                {"detail": str(exc), "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST
            )
        if isinstance(exc, UnknownParcel):
            return Response(
                {"detail": str(exc), "errors": {"parcels": [str(exc)]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if isinstance(exc, WorkflowConflict):
            return Response(
                {"detail": str(exc), "state": exc.state}, status=status.HTTP_409_CONFLICT
            )
        if isinstance(
            exc,
            services.PermitError | InvalidSubject | AttachmentRefused | selectors.BadFilter,
        ):
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)


class KindViewSet(viewsets.ReadOnlyModelViewSet):
    """The kinds of request, their deadlines and the documents to attach (public)."""

    permission_classes = [AllowAny]
    serializer_class = s.KindSerializer
    queryset = ApplicationKind.objects.filter(active=True).prefetch_related("documents")
    lookup_field = "code"


class ApplicationPagination(PageNumberPagination):
    """The queue in pages (deadline first): a county's closed requests pile up over the
    years."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


@extend_schema(parameters=[KEY_PARAMETER])
class ApplicationViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Applications. Anyone may create a draft (an access key comes back); the applicant
    continues it with the key (header X-Access-Key) or from the account that made it."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    lookup_field = "public_id"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = ApplicationPagination
    queryset = Application.objects.select_related("kind", "registration__register")

    # Who is asking -------------------------------------------------------------------
    def _key(self) -> str | None:
        return self.request.headers.get(KEY_HEADER)

    def _role(self, application: Application) -> str | None:
        user = self.request.user
        # a draft is the applicant's alone until it is submitted
        if application.state != State.DRAFT and services.can_officiate(user, application.kind):
            return "officer"
        if services.is_applicant(application, user=user, key=self._key()):
            return "applicant"
        return None

    def _get(self, *, officer: bool = False) -> tuple[Application, str]:
        application = self.get_object()
        role = self._role(application)
        if role is None:
            raise Http404
        if officer and role != "officer":
            if not self.request.user.is_authenticated:
                raise NotAuthenticated()
            raise PermissionDenied(
                _("Doar funcționarii compartimentului pot face această acțiune.")
            )
        return application, role

    def _detail(self, application: Application, role: str, code: int = 200) -> Response:
        # polled while a dossier is assembled: the related rows in the same query
        application = Application.objects.select_related(
            "kind", "registration__register", "applicant", "owner"
        ).get(pk=application.pk)
        if role == "officer":
            data = s.OfficerApplicationSerializer(application, context={"officer": True}).data
        else:
            data = s.PublicApplicationSerializer(application).data
        return Response(data, status=code)

    def get_serializer_class(self):
        if self.action == "list" and is_officer(self.request.user):
            return f.OfficerListSerializer
        return s.ApplicationListSerializer

    # Reading ---------------------------------------------------------------------------
    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        user = self.request.user
        if is_officer(user):
            params = self.request.query_params
            return selectors.applications_for_officer(
                user,
                **{
                    name: params.get(name)
                    for name in ("state", "kind", "uat", "parcel", "registration")
                },
            )
        return qs.filter(owner=user).prefetch_related("parcels")

    @extend_schema(
        summary="Cererile mele (cetățean) sau cele ale compartimentului (funcționar)",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=State.values),
            OpenApiParameter("kind", OpenApiTypes.STR),
            OpenApiParameter("uat", OpenApiTypes.INT, description="cod SIRUTA"),
            OpenApiParameter("parcel", OpenApiTypes.STR, description="<SIRUTA>:<nr. cadastral>"),
            OpenApiParameter("registration", OpenApiTypes.STR, description="ex. U-12/2026"),
        ],
        responses=f.OfficerListSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.OfficerApplicationSerializer)
    def retrieve(self, request, *args, **kwargs):
        application, role = self._get()
        return self._detail(application, role)

    # Applicant -------------------------------------------------------------------------
    @extend_schema(request=s.ApplicationInputSerializer, responses={201: s.CreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.ApplicationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        application, key = services.create_application(
            kind=data.pop("kind"),
            applicant=data.pop("applicant"),
            parcels=data.pop("parcels", []),
            footprint=data.pop("footprint", None),
            access_point=data.pop("access_point", None),
            user=request.user,
            **data,
        )
        return Response(
            {"id": application.public_id, "state": application.state, "access_key": key},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request={"multipart/form-data": f.FilingSerializer}, responses={201: f.FiledSerializer}
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], url_path="file")
    def file(self, request):
        """File in one go: the form, its documents and the submission commit together
        (a registration number and the tracking key come back), or nothing is saved."""
        serializer = f.FilingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data["application"])
        kind = data.pop("kind")
        applicant = data.pop("applicant")
        application, key = filing.file_application(
            kind=kind,
            applicant=applicant,
            parcels=data.pop("parcels", []),
            footprint=data.pop("footprint", None),
            access_point=data.pop("access_point", None),
            fields=data,
            uploads=f.uploads_from(request.FILES),
            user=request.user,
            verified_email=request.session.get(filing.SESSION_KEY),
        )
        entry = application.registration
        return Response(
            {
                "id": application.public_id,
                "kind_name": kind.name,
                "registration_number": entry.label,
                "registered_at": entry.registered_at,
                "due_date": application.due_date,
                "access_key": key,
                "emailed": bool(applicant.get("email")),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.ApplicationInputSerializer, responses=s.PublicApplicationSerializer)
    def partial_update(self, request, *args, **kwargs):
        application, role = self._get()
        if role != "applicant":
            raise PermissionDenied(_("Ciorna se modifică doar de solicitant."))
        serializer = s.ApplicationInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("kind", None)
        extra = {}
        for name in ("footprint", "access_point"):
            if name in request.data:
                extra[name] = data.pop(name, None)
        services.update_draft(
            application=application,
            user=request.user,
            applicant=data.pop("applicant", None),
            parcels=data.pop("parcels", None),
            **extra,
            **data,
        )
        return self._detail(application, role)

    @extend_schema(request={"multipart/form-data": s.AttachmentUploadSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, public_id=None):
        """Attach a document (PDF, JPEG, PNG; checked by content)."""
        application, role = self._get()
        serializer = s.AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        from permits.services.attachments import max_bytes

        if upload.size > max_bytes():
            raise AttachmentRefused(_("Fișierul depășește dimensiunea maximă admisă."))
        attachment = add_attachment(
            application=application,
            name=upload.name or "",
            data=upload.read(),
            document_code=serializer.validated_data.get("document") or None,
            user=request.user,
            as_officer=role == "officer",
        )
        data = (
            s.OfficerAttachmentSerializer(attachment).data
            if role == "officer"
            else s.PublicAttachmentSerializer(attachment).data
        )
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]+)")
    def attachment(self, request, public_id=None, attachment_id=None):
        """One attached document, as stored (officers, or the applicant)."""
        application, role = self._get()
        attachment = application.attachments.filter(pk=int(attachment_id)).first()
        if attachment is None:
            raise Http404
        extension = {"application/pdf": ".pdf", "image/png": ".png"}.get(
            attachment.content_type, ".jpg"
        )
        name = attachment.original_name if role == "officer" else ""
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=name or f"anexa-{attachment.pk}{extension}",
        )

    @extend_schema(request=None, responses={200: s.SubmittedSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, public_id=None):
        """Submit: the registration number is given in the same transaction."""
        application, role = self._get()
        if role != "applicant":
            raise PermissionDenied(_("Cererea se depune de solicitant."))
        filing.check_filer(
            user=request.user,
            email=application.applicant.email,
            verified_email=request.session.get(filing.SESSION_KEY),
        )
        application, key = services.submit_application(
            application=application, user=request.user, require_documents=True
        )
        return Response(
            {
                "id": application.public_id,
                "registration_number": application.registration.label,
                "registered_at": application.registration.registered_at,
                "due_date": application.due_date,
                "access_key": key,
            }
        )

    @extend_schema(request=s.ActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, public_id=None):
        """The missing documents were added: the legal clock resumes."""
        application, role = self._get()
        data = self._action_data(s.ActionSerializer)
        services.complete(
            application=application,
            user=request.user,
            key=self._key(),
            reason=data["reason"],
            expected_revision=data.get("revision"),
        )
        return self._detail(application, role)

    @extend_schema(request=s.ActionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        application, role = self._get()
        data = self._action_data(s.ActionSerializer)
        services.withdraw(
            application=application,
            user=request.user,
            key=self._key(),
            reason=data["reason"],
            expected_revision=data.get("revision"),
        )
        return self._detail(application, role)

    # Officers --------------------------------------------------------------------------
    def _action_data(self, serializer_class) -> dict:
        serializer = serializer_class(data=request_data(self.request))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=s.ActionSerializer)
    @action(detail=True, methods=["post"], url_path="take-in-review")
    def take_in_review(self, request, public_id=None):
        application, role = self._get(officer=True)
        data = self._action_data(s.ActionSerializer)
        services.take_in_review(
            application=application,
            user=request.user,
            reason=data["reason"],
            expected_revision=data.get("revision"),
        )
        return self._detail(application, role)

    @extend_schema(request=s.CompletionRequestSerializer)
    @action(detail=True, methods=["post"], url_path="request-completion")
    def request_completion(self, request, public_id=None):
        """Return the dossier for completion: the legal clock stops."""
        application, role = self._get(officer=True)
        data = self._action_data(s.CompletionRequestSerializer)
        services.request_completion(
            application=application,
            user=request.user,
            reason=data["reason"],
            missing=data["missing"],
            expected_revision=data.get("revision"),
        )
        return self._detail(application, role)

    @extend_schema(request=s.IssueSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, public_id=None):
        application, role = self._get(officer=True)
        data = self._action_data(s.IssueSerializer)
        services.issue(
            application=application,
            user=request.user,
            validity_months=data.get("validity_months"),
            notes=data["reason"],
            expected_revision=data.get("revision"),
        )
        return self._detail(application, role)

    @extend_schema(request=s.ActionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, public_id=None):
        application, role = self._get(officer=True)
        data = self._action_data(s.ActionSerializer)
        services.reject(
            application=application,
            user=request.user,
            reason=data["reason"],
            expected_revision=data.get("revision"),
        )
        return self._detail(application, role)

    @extend_schema(request=s.ExtendSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, public_id=None):
        """Extend the issued act once (a recorded event)."""
        application, role = self._get(officer=True)
        data = self._action_data(s.ExtendSerializer)
        services.extend(
            application=application, user=request.user, months=data["months"], reason=data["reason"]
        )
        return self._detail(application, role)

    @extend_schema(request=s.ActionSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="reset-access-key")
    def reset_access_key(self, request, public_id=None):
        """A new tracking key for an applicant who lost theirs (identity checked by the
        officer, who gives it as the reason); the old key stops working."""
        application, _ = self._get(officer=True)
        data = self._action_data(s.ActionSerializer)
        application, key = services.reset_access_key(
            application=application, user=request.user, reason=data["reason"]
        )
        return Response({"id": application.public_id, "access_key": key})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reassemble(self, request, public_id=None):
        """Queue a fresh analysis and dossier (a new version)."""
        application, role = self._get(officer=True)
        if application.state == State.DRAFT or not application.kind.builds_dossier:
            raise services.PermitError(_("Dosarul GIS se generează pentru cererile înregistrate."))
        request_assembly(application=application, reason="request", user=request.user)
        return self._detail(application, role, code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("version", OpenApiTypes.INT)],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def dossier(self, request, public_id=None):
        """The PDF dossier: officers always; the applicant once the act is issued."""
        application, role = self._get()
        if role != "officer" and application.state != State.ISSUED:
            raise PermissionDenied(
                _("Dosarul este disponibil solicitantului după emiterea actului.")
            )
        dossiers = application.dossiers.order_by("-version")
        version = request.query_params.get("version")
        if version:
            dossiers = dossiers.filter(version=int(version) if version.isdigit() else -1)
        dossier = dossiers.first()
        if dossier is None:
            raise Http404
        label = application.registration.label
        response = FileResponse(
            dossier.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"dosar-{label.replace('/', '-')}-v{dossier.version}.pdf",
        )
        response["X-Content-SHA256"] = dossier.sha256
        return response


def request_data(request) -> dict:
    return request.data if hasattr(request.data, "get") else {}


class TrackView(ServiceErrorsMixin, APIView):
    """Track a request by its registration number and access key: state, history and
    deadline; never anybody's personal data."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(request=s.TrackSerializer, responses=s.PublicApplicationSerializer)
    def post(self, request):
        serializer = s.TrackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.find_by_registration(
            label=serializer.validated_data["registration_number"],
            key=serializer.validated_data["access_key"],
        )
        if application is None:
            return Response(
                {"detail": _("Număr de înregistrare sau cheie de acces greșite.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(s.PublicApplicationSerializer(application).data)


class VerifyThrottle(AnonRateThrottle):
    """Codes are six digits: few tries per client and hour."""

    scope = "permits_verify"
    rate = "10/hour"

    def get_rate(self) -> str:
        return self.rate


class VerifyEmailView(ServiceErrorsMixin, APIView):
    """E-mail verification for filing without an account: without `code` a code is sent
    to the address; with it, the address counts as verified for this browser session."""

    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]

    @extend_schema(request=f.VerifyEmailSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = f.VerifyEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email, code = serializer.validated_data["email"], serializer.validated_data.get("code")
        if not code:
            filing.send_verification_code(email)
            return Response({"sent": True, "verified": False})
        if not filing.check_verification_code(email, code):
            return Response(
                {"detail": _("Cod greșit sau expirat."), "verified": False},
                status=status.HTTP_400_BAD_REQUEST,
            )
        request.session[filing.SESSION_KEY] = email.strip().lower()
        return Response({"sent": False, "verified": True})

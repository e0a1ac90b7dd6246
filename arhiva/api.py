"""The archive's JSON API (mounted at /api/arhiva/): search by act number or by words,
the acts of a parcel (the parcel card lists them), an act's detail and searchable PDF,
the unplaced queue and placing an act, the retention report and disposal decisions.

Officers see every act; anyone else only the acts of their own requests: those filed from
their account, or the one whose registration number and tracking key they hold (a paper
request's receipt). An act the caller may not see is a 404."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from arhiva import linking, retention, selectors
from arhiva.models import ArchiveDocument, ParcelLink
from layers.access import is_officer
from layers.api_map import storage_point
from layers.models import Parcel
from registratura import selectors as registratura_selectors
from registratura.api import RegisterTrackSerializer, TrackThrottle, tracked_request_or_404
from registratura.models import Document as RegisterDocument

NUMBER_HEADER, KEY_HEADER = "X-Registration-Number", "X-Access-Key"
PARCEL_PARAMETER = OpenApiParameter(
    "parcel", OpenApiTypes.STR, description="imobilul: SIRUTA:nr_cadastral (ex. 1017:50001)"
)
Q_PARAMETER = OpenApiParameter(
    "q", OpenApiTypes.STR, description="număr de act (AC 123/1998) sau cuvinte din text"
)


class IsOfficer(BasePermission):
    message = gettext_lazy("Arhiva este accesibilă doar funcționarilor.")

    def has_permission(self, request, view) -> bool:
        return is_officer(request.user)


def parse_parcel_ref(ref: str) -> Parcel:
    siruta, sep, number = ref.partition(":")
    if not sep or not siruta.isdigit() or not number:
        raise serializers.ValidationError({"parcel": _("Folosiți forma SIRUTA:nr_cadastral.")})
    parcel = Parcel.objects.filter(uat__siruta=int(siruta), cadastral_number=number).first()
    if parcel is None:
        raise Http404(
            _("Imobilul %(number)s nu există în UAT %(siruta)s.")
            % {"number": number, "siruta": siruta}
        )
    return parcel


def link_json(link: ParcelLink) -> dict:
    return {
        "parcel": f"{link.parcel.uat.siruta}:{link.parcel.cadastral_number}",
        "method": link.method,
        "method_label": link.get_method_display(),
        "score": link.score,
        "linked_by": link.created_by.get_username() if link.created_by_id else None,
        "linked_at": link.created_at,
    }


def document_json(document: ArchiveDocument, *, officer: bool, places: bool = False) -> dict:
    data = {
        "id": document.pk,
        "label": document.label,
        "kind": {"code": document.kind.code, "name": document.kind.name},
        "year": document.year,
        "number": document.number,
        "act_date": document.act_date,
        "page_count": document.page_count,
        "placement": document.placement,
        "pdf_url": reverse("arhiva_api:pdf", args=[document.pk]) if document.pdf else None,
    }
    if officer:
        data |= {
            "address": document.address,
            "cadastral_numbers": document.cadastral_numbers,
            "detail_url": reverse("arhiva:detail", args=[document.pk]),
            # (select_related("uat") wherever acts are listed)
            "uat": (
                {"siruta": document.uat.siruta, "name": document.uat.name}
                if document.uat_id
                else None
            ),
        }
    if officer and places:
        # where the map goes for a search hit: its parcels (prefetched by
        # _with_places), or the point an officer placed it at (EPSG:3844)
        data |= {
            "parcels": [
                f"{link.parcel.uat.siruta}:{link.parcel.cadastral_number}"
                for link in document.links.all()
            ],
            "location": (
                [round(document.location.x, 2), round(document.location.y, 2)]
                if document.location
                else None
            ),
        }
    return data


def _with_places(documents):
    return documents.select_related("kind", "uat").prefetch_related("links__parcel__uat")


class DocumentListView(APIView):
    """Search the archive: `q` (an act number such as "AC 123/1998", or words, with or
    without diacritics) and/or `parcel` (the acts of a parcel)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[Q_PARAMETER, PARCEL_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        officer = is_officer(request.user)
        documents = selectors.visible_documents(request.user)
        q = request.query_params.get("q", "").strip()[:200]
        parcel_ref = request.query_params.get("parcel", "").strip()
        if not q and not parcel_ref:
            raise serializers.ValidationError(_("Indicați q (căutare) sau parcel (imobil)."))
        if parcel_ref:
            parcel = parse_parcel_ref(parcel_ref)
            documents = documents.filter(links__parcel=parcel).distinct()
            if not q:
                results = []
                for document, link in selectors.documents_of_parcel(parcel, documents):
                    item = document_json(document, officer=officer)
                    item["link"] = link_json(link)
                    results.append(item)
                return Response({"results": results, "truncated": False})
        by_number = selectors.by_act_number(q, documents)
        if by_number is not None:
            results = [
                document_json(d, officer=officer, places=True) for d in _with_places(by_number)[:50]
            ]
            return Response({"results": results, "truncated": False})
        found = selectors.search_text(
            q, user=request.user, within=documents if parcel_ref else None
        )
        by_id = _with_places(ArchiveDocument.objects).in_bulk([h.document_id for h in found.hits])
        results = []
        for hit in found.hits:
            item = document_json(by_id[hit.document_id], officer=officer, places=True)
            item |= {"page": hit.page, "rank": round(hit.rank, 4), "headline": hit.headline}
            results.append(item)
        return Response({"results": results, "truncated": found.truncated})


class DocumentDetailView(APIView):
    """One act with its parcel links and retention."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        document = get_object_or_404(
            selectors.visible_documents(request.user).select_related("kind", "retention", "uat"),
            pk=pk,
        )
        officer = is_officer(request.user)
        data = document_json(document, officer=officer)
        if officer:
            links = document.links.select_related("parcel__uat", "created_by")
            data["links"] = [link_json(link) for link in links]
            data["retention"] = {
                "code": document.retention.code,
                "name": document.retention.name,
                "disposable_from": selectors.disposal_date(document),
            }
        return Response(data)


def tracked_request(request: Request) -> RegisterDocument | None:
    """The request whose number and tracking key came in the headers (never in a URL)."""
    return registratura_selectors.tracked_request(
        label=request.headers.get(NUMBER_HEADER, ""), key=request.headers.get(KEY_HEADER, "")
    )


class IsAuthenticatedOrTracking(BasePermission):
    """An account, or a request's number and tracking key (checked by the view)."""

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated or (
            NUMBER_HEADER in request.headers and KEY_HEADER in request.headers
        )


class DocumentPdfView(APIView):
    """The searchable PDF of an act (never served without this permission check): for
    officers, for the account that filed the request it answers, or for whoever holds the
    request's number and tracking key (headers X-Registration-Number, X-Access-Key)."""

    permission_classes = [IsAuthenticatedOrTracking]

    @extend_schema(
        parameters=[
            OpenApiParameter(NUMBER_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER),
            OpenApiParameter(KEY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        documents = selectors.visible_documents(request.user)
        if NUMBER_HEADER in request.headers:
            tracked = tracked_request(request)
            if tracked is None:
                raise Http404(_("Număr de înregistrare sau cheie de acces greșite."))
            documents = documents | selectors.documents_of_request(tracked)
        document = get_object_or_404(documents, pk=pk)
        path = Path(settings.MEDIA_ROOT) / document.pdf
        if not document.pdf or not path.is_file():
            raise Http404(_("Fișierul actului nu mai există."))
        name = f"{document.kind.code}-{document.number}-{document.year}.pdf".replace("/", "-")
        return FileResponse(open(path, "rb"), as_attachment=True, filename=name)


class TrackView(APIView):
    """The archived acts answering a request, for whoever holds its number and tracking
    key (a paper request's receipt, or an online request's key); no personal data."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(request=RegisterTrackSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        tracked = tracked_request_or_404(request.data)
        documents = selectors.documents_of_request(tracked).select_related("kind")
        return Response(
            {
                "registration_number": tracked.entry.label,
                "results": [document_json(d, officer=False) for d in documents],
            }
        )


class PlaceSerializer(serializers.Serializer):
    parcel = serializers.CharField(required=False, help_text="SIRUTA:nr_cadastral")
    x = serializers.FloatField(required=False, help_text="est (m), EPSG:3844")
    y = serializers.FloatField(required=False, help_text="nord (m), EPSG:3844")

    def validate(self, attrs):
        has_point = "x" in attrs and "y" in attrs
        if bool(attrs.get("parcel")) == has_point:
            raise serializers.ValidationError(_("Indicați fie parcel, fie x și y."))
        return attrs


class PlaceView(APIView):
    """An officer places an act of the unplaced queue: on a parcel or at a map point."""

    permission_classes = [IsOfficer]

    @extend_schema(request=PlaceSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, pk: int) -> Response:
        document = get_object_or_404(ArchiveDocument.objects.select_related("kind", "uat"), pk=pk)
        body = PlaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data.get("parcel"):
            linking.place_manually(
                document, user=request.user, parcel=parse_parcel_ref(body.validated_data["parcel"])
            )
        else:
            point = storage_point(body.validated_data["x"], body.validated_data["y"])
            linking.place_manually(document, user=request.user, point=point)
        return Response(document_json(document, officer=True))


class UnplacedView(APIView):
    """The queue of acts no cadastral number or address could place."""

    permission_classes = [IsOfficer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        documents = selectors.unplaced(selectors.visible_documents(request.user))[:200]
        return Response({"results": [document_json(d, officer=True) for d in documents]})


class DisposalSerializer(serializers.Serializer):
    documents = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    reason = serializers.CharField(max_length=2000)
    reference = serializers.CharField(max_length=120, required=False, default="")


class RetentionView(APIView):
    """GET: the acts whose retention has run out. POST: record a disposal decision."""

    permission_classes = [IsOfficer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        documents = selectors.disposable()[:1000]
        return Response(
            {
                "results": [
                    document_json(d, officer=True)
                    | {"retention": d.retention.code, "disposable_from": selectors.disposal_date(d)}
                    for d in documents
                ]
            }
        )

    @extend_schema(request=DisposalSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        body = DisposalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decision = retention.record_disposal(
                user=request.user,
                document_ids=body.validated_data["documents"],
                reason=body.validated_data["reason"],
                reference=body.validated_data["reference"],
            )
        except retention.DisposalRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(
            {
                "decision": decision.pk,
                "decided_by": request.user.get_username(),
                "decided_at": decision.decided_at,
                "documents": decision.documents.count(),
            },
            status=status.HTTP_201_CREATED,
        )

"""Officers' pages of the archive (mounted at /arhiva/): search, an act's detail with its
PDF, the unplaced queue and the retention report. Thin: they call the selectors and
services the API uses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from rest_framework.exceptions import ValidationError as DrfValidationError

from arhiva import linking, retention, selectors
from arhiva.api import parse_parcel_ref
from arhiva.models import ArchiveDocument, ArchiveImport
from layers.access import is_officer
from layers.api_map import storage_point


class OfficerRequired(LoginRequiredMixin, UserPassesTestMixin):
    login_url = "admin:login"

    def test_func(self) -> bool:
        return is_officer(self.request.user)


class SearchPage(OfficerRequired, TemplateView):
    template_name = "arhiva/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "").strip()[:200]
        context["q"] = q
        if q:
            documents = selectors.visible_documents(self.request.user)
            by_number = selectors.by_act_number(q, documents)
            if by_number is not None:
                context["results"] = [(d, None) for d in by_number.select_related("kind")[:50]]
            else:
                found = selectors.search_text(q, user=self.request.user)
                by_id = ArchiveDocument.objects.select_related("kind").in_bulk(
                    [h.document_id for h in found.hits]
                )
                context["results"] = [(by_id[h.document_id], h) for h in found.hits]
                context["truncated"] = found.truncated
        context["imports"] = ArchiveImport.objects.all()[:5]
        return context


class DetailPage(OfficerRequired, TemplateView):
    template_name = "arhiva/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = get_object_or_404(
            selectors.visible_documents(self.request.user).select_related(
                "kind", "retention", "uat", "placed_by"
            ),
            pk=kwargs["pk"],
        )
        context |= {
            "document": document,
            "links": document.links.select_related("parcel__uat", "created_by"),
            "disposable_from": selectors.disposal_date(document),
        }
        return context


class UnplacedPage(OfficerRequired, TemplateView):
    template_name = "arhiva/unplaced.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["documents"] = selectors.unplaced(selectors.visible_documents(self.request.user))[
            :200
        ]
        return context


def _coordinates(data) -> tuple[float, float]:
    """X and Y (Stereo 70 metres) of the placement form, or a ValueError that says so."""
    try:
        return float(data.get("x", "").replace(",", ".")), float(
            data.get("y", "").replace(",", ".")
        )
    except ValueError:
        raise ValueError(
            _("indicați imobilul (SIRUTA:nr_cadastral) sau coordonatele X și Y în metri.")
        ) from None


def _detail(exc: DrfValidationError) -> str:
    """The messages of a DRF validation error as plain text (not its repr)."""
    detail = exc.detail
    if isinstance(detail, dict):
        detail = [m for messages_ in detail.values() for m in messages_]
    return " ".join(str(m) for m in (detail if isinstance(detail, list) else [detail]))


class PlaceAction(OfficerRequired, View):
    """Place an act from the queue or its page: a parcel reference or X/Y in Stereo 70."""

    def post(self, request, pk: int):
        document = get_object_or_404(ArchiveDocument, pk=pk, disposal__isnull=True)
        ref = request.POST.get("parcel", "").strip()
        try:
            if ref:
                linking.place_manually(document, user=request.user, parcel=parse_parcel_ref(ref))
            else:
                point = storage_point(*_coordinates(request.POST))
                linking.place_manually(document, user=request.user, point=point)
        except (ValueError, Http404, ValidationError) as exc:
            messages.error(request, _("Amplasare eșuată: %(error)s") % {"error": exc})
        except DrfValidationError as exc:
            messages.error(request, _("Amplasare eșuată: %(error)s") % {"error": _detail(exc)})
        else:
            messages.success(request, _("%(act)s a fost amplasat.") % {"act": document})
        return redirect(request.POST.get("next") or "arhiva:unplaced")


class RetentionPage(OfficerRequired, TemplateView):
    template_name = "arhiva/retention.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["documents"] = selectors.disposable()[:1000]
        return context

    def post(self, request):
        ids = [int(v) for v in request.POST.getlist("documents") if v.isdigit()]
        try:
            decision = retention.record_disposal(
                user=request.user,
                document_ids=ids,
                reason=request.POST.get("reason", ""),
                reference=request.POST.get("reference", ""),
            )
        except retention.DisposalRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Decizia %(decision)s a fost înregistrată; fișierele au fost eliminate.")
                % {"decision": decision.pk},
            )
        return redirect("arhiva:retention")

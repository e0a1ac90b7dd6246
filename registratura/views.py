"""Officers' pages of the register: search, front-desk entry, detail, answer, report.

Thin views: forms validate, services write, selectors read. Everything here is for
officers only (personal data on every line); anonymous users are sent to the login page
and logged-in citizens get 403.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from registratura import selectors
from registratura.access import is_registry_officer
from registratura.forms import AnswerForm, AssignForm, EntryForm, FileForm, ReportForm, SearchForm
from registratura.models import Document
from registratura.services import documents as services
from registratura.services import reports
from registratura.services.uploads import AttachmentRefused


class OfficerRequired(LoginRequiredMixin, UserPassesTestMixin):
    login_url = "admin:login"

    def test_func(self) -> bool:
        return is_registry_officer(self.request.user)


def _errors_to_form(form, exc: ValidationError | AttachmentRefused) -> None:
    if isinstance(exc, AttachmentRefused):
        form.add_error("scan", str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ListView(OfficerRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = SearchForm(request.GET or None)
        criteria = selectors.Search()
        if form.is_valid():
            data = form.cleaned_data
            criteria = selectors.Search(
                number=data["number"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                sender=data["sender"],
                subject=data["subject"],
                status=data["status"],
                direction=data["direction"],
                register=data["register"].code if data["register"] else "",
            )
        page = Paginator(selectors.search(criteria), 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "registratura/list.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "report_form": ReportForm(),
            },
        )


class EntryCreateView(OfficerRequired, View):
    template = "registratura/entry_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": EntryForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EntryForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = services.register_incoming_input(data, user=request.user)
            except (ValidationError, AttachmentRefused) as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request, _("Înregistrat cu numărul %(n)s.") % {"n": document.entry.label}
                )
                return _to_receipt(request, document, document.access_key)
        return render(request, self.template, {"form": form}, status=400)


def _document(pk: int) -> Document:
    return get_object_or_404(selectors.documents(), pk=pk)


class DetailView(OfficerRequired, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(pk)
        return render(
            request,
            "registratura/detail.html",
            {
                "document": document,
                "answers": selectors.documents().filter(in_reply_to=document),
                "assign_form": AssignForm(
                    initial={"department": document.department, "officer": document.assigned_to}
                ),
                "file_form": FileForm(),
            },
        )


def _to_receipt(request: HttpRequest, document: Document, key: str) -> HttpResponse:
    """Hand the tracking key to the receipt page through the session (popped there, so it
    is shown once and never travels in a URL)."""
    request.session[f"registratura-key-{document.pk}"] = key
    return redirect("registratura:receipt", pk=document.pk)


def _track_url(request: HttpRequest) -> str:
    """The portal's tracking page, when the portal is installed (the register works alone)."""
    try:
        return request.build_absolute_uri(reverse("frontend:track"))
    except NoReverseMatch:
        return request.build_absolute_uri("/")


class ReceiptView(OfficerRequired, View):
    """The registration receipt for the sender (dovada de înregistrare): number, date,
    deadline, and the tracking key, which is shown this once."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(pk)
        key = request.session.pop(f"registratura-key-{document.pk}", None)
        return render(
            request,
            "registratura/receipt.html",
            {
                "document": document,
                "access_key": key,
                "track_url": _track_url(request),
            },
        )


class ResetKeyView(OfficerRequired, View):
    """A new tracking key for a sender who lost theirs (the old one stops working)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(pk)
        try:
            key = services.reset_access_key(document=document, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("registratura:detail", pk=pk)
        return _to_receipt(request, document, key)


class AssignView(OfficerRequired, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(pk)
        form = AssignForm(request.POST)
        if form.is_valid():
            try:
                services.assign(
                    document=document,
                    department=form.cleaned_data["department"],
                    officer=form.cleaned_data["officer"],
                    user=request.user,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Document repartizat."))
        return redirect("registratura:detail", pk=pk)


class FileWithoutAnswerView(OfficerRequired, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(pk)
        form = FileForm(request.POST)
        if form.is_valid():
            try:
                services.file_without_answer(
                    document=document, reason=form.cleaned_data["reason"], user=request.user
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Document clasat."))
        return redirect("registratura:detail", pk=pk)


class AnswerView(OfficerRequired, View):
    template = "registratura/answer_form.html"

    def _incoming(self, pk: int) -> Document:
        document = _document(pk)
        if document.direction != Document.Direction.INCOMING:
            raise Http404
        return document

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        incoming = self._incoming(pk)
        form = AnswerForm(
            initial={
                "channel": incoming.channel,
                "correspondent_name": incoming.correspondent_name,
                "correspondent_address": incoming.correspondent_address,
                "correspondent_contact": incoming.correspondent_contact,
                "subject": _("Răspuns la %(n)s") % {"n": incoming.entry.label},
            }
        )
        return render(request, self.template, {"form": form, "incoming": incoming})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        incoming = self._incoming(pk)
        form = AnswerForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer = services.register_outgoing_input(incoming, data, user=request.user)
            except (ValidationError, AttachmentRefused) as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request, _("Răspuns înregistrat cu numărul %(n)s.") % {"n": answer.entry.label}
                )
                return redirect("registratura:detail", pk=answer.pk)
        return render(request, self.template, {"form": form, "incoming": incoming}, status=400)


class ScanView(OfficerRequired, View):
    """The scanned document, served only after the permission check (never from /media/)."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        document = _document(pk)
        if not document.file:
            raise Http404
        return FileResponse(
            document.file.open("rb"),
            content_type=document.file_type,
            as_attachment=False,
            filename=document.entry.label.replace("/", "-") + PurePath(document.file.name).suffix,
        )


class ReportView(OfficerRequired, View):
    """The register book of one day, as PDF or CSV."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ReportForm(request.GET)
        if not form.is_valid():
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        day = form.cleaned_data["day"]
        register = form.cleaned_data["register"].code if form.cleaned_data["register"] else None
        name = f"registru-{register or 'toate'}-{day.isoformat()}"
        if form.cleaned_data["format"] == "csv":
            response = HttpResponse(
                reports.register_book_csv(day=day, register=register),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        pdf = reports.register_book_pdf(day=day, register=register)
        response = HttpResponse(pdf.data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response

"""Officers' pages: upload an import, follow its progress, read its report (page or JSON).

Views stay thin: the upload is stored and queued; the import itself is the same service
the command line uses, run by the background worker.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from import_cadastru.forms import UploadForm
from import_cadastru.models import ImportRun
from import_cadastru.services import limits_from_settings
from layers.access import is_officer

UPLOAD_SUBDIR = "import_cadastru"


class OfficerRequired(LoginRequiredMixin, UserPassesTestMixin):
    login_url = "admin:login"

    def test_func(self) -> bool:
        return is_officer(self.request.user)


def _safe_name(name: str) -> str:
    """A plain file name (no directories, no odd characters), keeping the extension."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\-]+", "_", base, flags=re.ASCII).strip("._") or "fisier"
    return base[:120]


class RunListView(OfficerRequired, ListView):
    model = ImportRun
    template_name = "import_cadastru/list.html"
    context_object_name = "runs"
    paginate_by = 30


class UploadView(OfficerRequired, FormView):
    form_class = UploadForm
    template_name = "import_cadastru/upload.html"

    def form_valid(self, form):
        limits = limits_from_settings()
        folder = Path(settings.MEDIA_ROOT) / UPLOAD_SUBDIR / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=False)
        names = []
        for upload in form.cleaned_data["files"]:
            if upload.size > limits.max_file_bytes:
                form.add_error(
                    "files",
                    _("%(name)s depășește limita de %(mb)d MiB.")
                    % {"name": upload.name, "mb": limits.max_file_bytes // (1024 * 1024)},
                )
                _remove(folder)
                return self.form_invalid(form)
            name = _safe_name(upload.name)
            while name in names:
                name = f"{uuid.uuid4().hex[:6]}_{name}"
            names.append(name)
            with open(folder / name, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
        options = form.options()
        run = ImportRun.objects.create(
            status=ImportRun.Status.QUEUED,
            origin=ImportRun.Origin.WEB,
            target=options["target"] or "",
            dry_run=bool(form.cleaned_data.get("dry_run")),
            user=self.request.user,
            requested_by=self.request.user.get_username(),
            upload_dir=str(folder),
            options=options,
            files=[{"name": n, "size": (folder / n).stat().st_size} for n in names],
        )
        from import_cadastru.tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.defer(run_id=run.pk))
        return redirect("import_cadastru:detail", pk=run.pk)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


class RunDetailView(OfficerRequired, DetailView):
    model = ImportRun
    template_name = "import_cadastru/detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["findings"] = list(self.object.report.get("findings", {}).items())
        return context


class RunJsonView(OfficerRequired, View):
    def get(self, request, pk: int):
        run = get_object_or_404(ImportRun, pk=pk)
        return JsonResponse(run.as_json(), json_dumps_params={"ensure_ascii": False})

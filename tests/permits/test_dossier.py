"""The GIS dossier: assembled by the background task from the real analysis and map
extracts, a PDF that opens, says what it must, stores immutably with its SHA-256 and
versions, and renders hostile applicant text inertly without touching files or network."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from django.utils.safestring import mark_safe

from permits import tasks
from permits.models import AssemblyRun, Dossier, ImmutableError
from permits.services import applications as services
from permits.services import documents
from permits.services.assembly import request_assembly

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db

HOSTILE_NAME = (
    '<img src="file:///etc/passwd"> Ion <link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
)
HOSTILE_TEXT = '<iframe src="file:///etc/passwd"></iframe><script>alert(1)</script> casă'


def pdf_text(path: Path) -> str:
    """The text of the PDF with whitespace (line breaks of the layout) collapsed."""
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(out.split())


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def pdf_images(path: Path) -> list[dict[str, str]]:
    """`pdfimages -list` rows: page, width, height, enc (jpeg = embedded as it is)."""
    out = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    lines = out.strip().splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split(), strict=False)) for line in lines[2:]]


def _registered(make_application, parcel, kind="cu", **fields):
    application, _ = make_application(kind=kind, parcel=parcel, **fields)
    application, _ = services.submit_application(application=application)
    return application


def _run_queued(application) -> AssemblyRun:
    run = application.assembly_runs.get(status=AssemblyRun.Status.QUEUED)
    tasks.assemble_dossier(run_id=run.pk)  # what the procrastinate worker runs
    run.refresh_from_db()
    return run


def test_cu_dossier_has_the_number_parcels_utr_and_the_draft_act(
    make_application, road_parcel, media
):
    application = _registered(
        make_application, road_parcel, built_area=120, floor_area=240, height=8, levels=2
    )
    run = _run_queued(application)
    assert run.status == AssemblyRun.Status.DONE, run.error
    assert run.progress == 100 and run.finished_at is not None
    dossier = Dossier.objects.get(application=application)
    path = media / dossier.file.name
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == dossier.sha256
    assert pdf_pages(path) == dossier.pages >= 4
    text = pdf_text(path)
    analysis = dossier.analysis
    assert application.registration.label in text
    assert road_parcel.cadastral_number in text
    codes = [z["code"] for z in analysis["zones"]]
    assert codes and all(code in text for code in codes)
    for heading in (
        "CERTIFICAT DE URBANISM",
        "REGIMUL JURIDIC",
        "REGIMUL ECONOMIC",
        "REGIMUL TEHNIC",
        "SE CERTIFICĂ",
    ):
        assert heading in text
    assert analysis["road"]["number"] in text and analysis["road"]["nearest_km"] in text
    assert "acord prealabil" in text  # the road administrator's approval is listed
    assert "Ion Popescu-Testescu" in text  # officers' document: the applicant is named
    # the analysis is visible on the application
    application.refresh_from_db()
    assert application.analysis["zones"] == analysis["zones"]
    assert not application.needs_reanalysis


def test_map_extracts_are_in_the_dossier(make_application, road_parcel, media):
    application = _registered(make_application, road_parcel)
    run = _run_queued(application)
    assert run.status == AssemblyRun.Status.DONE, run.error
    assert run.warnings == []
    dossier = Dossier.objects.get(application=application)
    path = media / dossier.file.name
    images = pdf_images(path)
    assert len(images) == 2  # plan de încadrare + plan de situație
    # at 300 dpi, embedded as the JPEG MapServer wrote (no re-compression in WeasyPrint)
    # 170 × 130 mm: the frame fits the page's text width (A4 less the margins)
    assert all((i["width"], i["height"], i["enc"]) == ("2008", "1535", "jpeg") for i in images)
    text = pdf_text(path)
    assert "Plan de încadrare în zonă" in text and "Plan de situație" in text
    assert "scara 1:" in text


def test_failed_extracts_are_warnings_not_a_failed_dossier(
    make_application, road_parcel, media, settings
):
    settings.OWS_DB_PORT = 1  # MapServer cannot reach the database: a real failure
    application = _registered(make_application, road_parcel)
    run = _run_queued(application)
    assert run.status == AssemblyRun.Status.DONE, run.error
    assert len(run.warnings) == 2 and all("nu a putut fi generat" in w for w in run.warnings)
    path = media / Dossier.objects.get(application=application).file.name
    assert pdf_images(path) == []
    assert "nu a putut fi generat" in pdf_text(path)


def test_road_access_dossier_has_km_and_the_acord_draft(
    make_application, road_parcel, media, officer
):
    cu = _registered(make_application, road_parcel)  # the acord prealabil needs a valid CU
    services.take_in_review(application=cu, user=officer)
    services.issue(application=cu, user=officer)
    application = _registered(
        make_application,
        road_parcel,
        kind="acord-prealabil",
        purpose="",
        proposed_use="magazin alimentar",
        access_point=road_parcel.geom.point_on_surface,
    )
    run = _run_queued(application)
    assert run.status == AssemblyRun.Status.DONE, run.error
    text = pdf_text(media / Dossier.objects.get(application=application).file.name)
    road = Dossier.objects.get(application=application).analysis["road"]
    assert "ACORD PREALABIL" in text and "nu permite executarea de lucrări" in text
    assert road["access"]["km"] in text and road["number"] in text


def test_regeneration_makes_a_new_version_and_never_overwrites(
    make_application, road_parcel, officer, media
):
    application = _registered(make_application, road_parcel)
    _run_queued(application)
    first = Dossier.objects.get(application=application, version=1)
    first_bytes = (media / first.file.name).read_bytes()
    request_assembly(application=application, reason="request", user=officer)
    run = _run_queued(application)
    assert run.status == AssemblyRun.Status.DONE, run.error
    second = Dossier.objects.get(application=application, version=2)
    assert second.file.name != first.file.name
    assert (media / first.file.name).read_bytes() == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    first.pages = 1
    with pytest.raises(ImmutableError):
        first.save()
    with pytest.raises(ImmutableError):
        first.delete()
    # a retried job of a finished run does nothing
    tasks.assemble_dossier(run_id=run.pk)
    assert application.dossiers.count() == 2


def test_hostile_applicant_text_renders_inertly(make_application, road_parcel, media):
    application, _ = services.create_application(
        kind="cu",
        applicant={**APPLICANT, "name": HOSTILE_NAME, "address": HOSTILE_TEXT},
        parcels=[{"uat": road_parcel.uat.siruta, "cadastral_number": road_parcel.cadastral_number}],
        purpose="construire",
        description=HOSTILE_TEXT,
        location='<link href="http://127.0.0.1:9/">',
    )
    application, _ = services.submit_application(application=application)
    run = _run_queued(application)
    assert run.status == AssemblyRun.Status.DONE, run.error
    text = pdf_text(media / Dossier.objects.get(application=application).file.name)
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert passwd not in text and "root:x:0" not in text
    assert '<img src="file:///etc/passwd">' in text  # shown as the text it is


class Listener:
    """A loopback TCP server that counts connection attempts (a network probe)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def test_fetcher_blocks_files_and_network_even_for_unescaped_html():
    """Defence in depth: even raw HTML cannot make WeasyPrint read a file or call out."""
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/"
        raw = mark_safe(  # noqa: S308 - the point of the test
            f'<link rel="stylesheet" href="{url}a.css"><img src="file:///etc/passwd">'
            f'<img src="{url}b.png"><iframe src="file:///etc/hostname"></iframe>'
            f'<object data="file:///etc/passwd"></object>'
            f'<div style="background: url({url}c.png)">x</div>'
        )
        pdf = _render_raw(raw)
    finally:
        listener.close()
    assert listener.connections == 0
    assert any(u.startswith("file:///etc/passwd") for u in pdf.refused_urls)
    assert any(u.startswith(url) for u in pdf.refused_urls)
    assert b"root:x:0" not in pdf.data


def _render_raw(html) -> documents.RenderedPdf:
    from django.template import engines

    template = engines["django"].from_string("<html><body>{{ raw }}</body></html>")
    fetcher = documents.InMemoryFetcher({})
    from weasyprint import HTML

    document = HTML(string=template.render({"raw": html}), url_fetcher=fetcher).render()
    data = document.write_pdf()
    return documents.RenderedPdf(
        data=data, pages=len(document.pages), sha256="", refused_urls=fetcher.refused
    )


def test_in_memory_resources_are_served():
    fetcher = documents.InMemoryFetcher({"gisapp-res:a.png": (b"\x89PNG...", "image/png")})
    assert fetcher.fetch("gisapp-res:a.png").read() == b"\x89PNG..."
    with pytest.raises(documents.BlockedResource):
        fetcher.fetch("gisapp-res:b.png")
    with pytest.raises(documents.BlockedResource):
        fetcher.fetch("data:text/html;base64,PGI+")

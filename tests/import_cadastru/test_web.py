"""The officers' upload page, the background job and the report page / JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from import_cadastru import tasks
from import_cadastru.models import ImportRun
from layers.models import Parcel

pytestmark = pytest.mark.django_db

HOUSE = "imobil_60101_doua_folosinte.cgxml"


def _upload(client, data: Path, *names: str, **fields):
    files = [SimpleUploadedFile(n, (data / n).read_bytes()) for n in names]
    return client.post(reverse("import_cadastru:upload"), {"files": files, **fields})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def test_pages_need_an_officer(client, django_user_model):
    url = reverse("import_cadastru:upload")
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    clerk = django_user_model.objects.create_user("funcționar", password="x-parola-lunga-1")
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    assert client.get(reverse("import_cadastru:list")).status_code == 403


def test_upload_queues_a_job_that_imports_and_reports(
    client, officer, data, media, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("import_cadastru:upload"))
    assert page.status_code == 200 and "Import nou" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, data, HOUSE, "extravilan_60201_empty.cgxml")
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("import_cadastru:detail", args=[run.pk])
    assert run.status == ImportRun.Status.QUEUED and run.user == officer
    job = ProcrastinateJob.objects.get(task_name=tasks.TASK_NAME)
    assert job.args == {"run_id": run.pk} and job.queue_name == "import_cadastru"
    waiting = client.get(response["Location"]).content.decode()
    assert "În așteptare" in waiting and 'http-equiv="refresh"' in waiting

    tasks.run_import_job(run_id=run.pk)  # what the worker runs

    run.refresh_from_db()
    assert run.status == ImportRun.Status.WARNINGS
    assert (run.created, run.updated, run.unchanged, run.rejected) == (2, 0, 0, 0)
    assert Parcel.objects.filter(cadastral_number__in=["60101", "60201"]).count() == 2
    assert not Path(run.upload_dir).exists()  # personal data not kept on disk
    page = client.get(reverse("import_cadastru:detail", args=[run.pk])).content.decode()
    assert "reușit, cu avertismente" in page and "refresh" not in page
    assert "Diferențe între suprafața din acte și cea măsurată (1)" in page
    assert "Țurcanu" not in page  # no personal data in the report
    report = client.get(reverse("import_cadastru:report_json", args=[run.pk])).json()
    assert report["counts"]["created"] == 2
    assert report["report"]["findings"]["area_difference"]["count"] == 1
    assert report["axis_order"] == "X=E,Y=N" and report["file_hash"]
    listing = client.get(reverse("import_cadastru:list")).content.decode()
    assert f'href="{reverse("import_cadastru:detail", args=[run.pk])}"' in listing


def test_refused_upload_shows_the_error_and_changes_nothing(
    client, officer, data, media, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    before = Parcel.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, data / "rele", "trunchiat.cgxml")
    run = ImportRun.objects.get()
    tasks.run_import_job(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    page = client.get(reverse("import_cadastru:detail", args=[run.pk])).content.decode()
    assert "XML invalid sau trunchiat" in page
    assert Parcel.objects.count() == before
    # a retried job does not run the import twice
    tasks.run_import_job(run_id=run.pk)
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_upload_with_mapping_file_and_dry_run(
    client, officer, media, tmp_path, django_capture_on_commit_callbacks
):
    from tests.import_cadastru import vector_files as vf

    gpkg = vf.write_parcels(
        tmp_path / "parcele.gpkg",
        fields={
            "COD": vf._obj([p[0] for p in vf.PARCELS]),
        },
    )
    mapping = b'target = "parcels"\n[fields]\ncadastral_number = "COD"\n'
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import_cadastru:upload"),
            {
                "files": [SimpleUploadedFile("../../parcele.gpkg", gpkg.read_bytes())],
                "mapping": SimpleUploadedFile("m.toml", mapping),
                "uat": "900001",
                "dry_run": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.get()
    assert run.files[0]["name"] == "parcele.gpkg"  # directories stripped from the name
    tasks.run_import_job(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCESS and run.dry_run and run.created == 3
    assert not Parcel.objects.filter(cadastral_number="61001").exists()


def test_progress_goes_through_a_second_connection_and_never_waits(officer):
    """The job's progress is visible while the import transaction is open, and a row
    locked by that transaction makes progress updates skip instead of block."""
    import time

    import psycopg
    from django.db import connection, transaction

    from import_cadastru.progress import DatabaseProgress

    params = connection.settings_dict
    other = psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )
    table = ImportRun._meta.db_table
    try:
        run_id = other.execute(
            f"INSERT INTO {table} (status, origin, target, dry_run, requested_by, created_at, "
            "files, file_hash, upload_dir, options, srs, axis_order, created, updated, "
            "unchanged, rejected, warnings, report, error, progress_stage, progress_done, "
            "progress_total) VALUES ('running', 'web', 'parcels', false, 'test', now(), '[]', "
            "'', '', '{}', '', '', 0, 0, 0, 0, 0, '{}', '', '', 0, 0) RETURNING id"
        ).fetchone()[0]
        progress = DatabaseProgress(run_id, interval=0)
        progress("citire", 5, 10)
        assert ImportRun.objects.get(pk=run_id).progress_done == 5  # committed, visible
        try:
            with transaction.atomic():
                ImportRun.objects.select_for_update().get(pk=run_id)
                started = time.monotonic()
                progress("citire", 7, 10)
                assert time.monotonic() - started < 0.5
                raise RuntimeError  # roll back the savepoint: the lock goes with it
        except RuntimeError:
            pass
        progress.close()
        assert (
            other.execute(f"SELECT progress_done FROM {table} WHERE id = %s", [run_id]).fetchone()[
                0
            ]
            == 5
        )
    finally:
        other.execute(f"DELETE FROM {table} WHERE requested_by = 'test' AND origin = 'web'")
        other.close()

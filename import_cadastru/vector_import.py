"""Vector files into parcels, buildings, roads, UTR zones, restrictions or intravilan.

Called by services.run_import inside its transaction: open each file through the driver
allow-list, check its CRS and coordinates, COPY the mapped attributes and WKB geometry
into a TEMP table, then hand over to the set-based writers.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from import_cadastru.mapping import TARGET_COLUMNS, build_mapping
from import_cadastru.parallel import ordered_map
from import_cadastru.readers import arrow_batches
from import_cadastru.readers import crs as crs_check
from import_cadastru.readers.batches import Slice, init_known, read_slice
from import_cadastru.readers.errors import InputRefused
from import_cadastru.readers.vector import (
    VectorSource,
    data_paths,
    open_vector,
    read_batches,
    sample_coordinates,
)
from import_cadastru.report import Report
from import_cadastru.staging import copy_lines, copy_stream, fetch_bytea
from import_cadastru.writers import features as feature_writer
from import_cadastru.writers import parcels as parcel_writer
from import_cadastru.writers import validation
from import_cadastru.writers.geometry import SourceCRS
from layers.models import UrbanPlan
from layers.services import rebuild_road_zones

SLICE = 25_000  # features per read
ARROW_BATCH = 25_000  # features per Arrow record batch
PARALLEL_SLICES = 4  # from this many slices (100k features) on, read in worker processes
SEQ_FILE_STRIDE = 10**10  # seq = file index * stride + feature index

# md5 prefixes of the stored parcel geometries, as the readers look them up: one bytea
# of 8 bytes a parcel (a row per parcel would cost a COPY message each)
_KNOWN = """
SELECT string_agg(decode(left(geom_md5, 16), 'hex'), ''::bytea)
FROM layers_parcel WHERE geom_md5 IS NOT NULL
"""


def _stored_fingerprints(cursor) -> np.ndarray | None:
    """The fingerprints of the stored parcel geometries, sorted (None: no parcels).
    8 bytes a parcel, so a county's million parcels cost 8 MB in each reader."""
    packed = fetch_bytea(cursor, _KNOWN)
    if not packed:
        return None
    return np.sort(np.frombuffer(packed, dtype=">i8").astype(np.int64))


def _can_skip_geometries(target, sql_crs, provided, polygons) -> bool:
    """Unchanged geometries can be left out of staging when the stored geometry is the
    file's, byte for byte: polygons already in the storage CRS, keyed by SIRUTA (a UAT
    found from the geometry would need it)."""
    return (
        target == "parcels"
        and polygons
        and sql_crs.epsg == settings.SRID
        and not sql_crs.swap_axes
        and "uat_siruta" in provided
    )


def _county_box() -> tuple[float, float, float, float] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom)::geometry AS e FROM layers_uat) q"
        )
        row = cursor.fetchone()
    if not row or row[0] is None:
        return None
    margin = 5_000.0
    return (row[0] - margin, row[1] - margin, row[2] + margin, row[3] + margin)


def _sql_crs(resolved: crs_check.ResolvedCRS, swap: bool) -> SourceCRS:
    epsg = resolved.epsg
    if epsg is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [epsg])
            if cursor.fetchone() is None:
                return SourceCRS(definition=f"EPSG:{epsg}", swap_axes=swap, label=resolved.label)
        return SourceCRS(epsg=epsg, swap_axes=swap, label=resolved.label)
    return SourceCRS(definition=resolved.definition, swap_axes=swap, label=resolved.label)


def _default_values(request, target: str) -> dict[str, str]:
    values = dict(request.values)
    if request.uat_siruta and target in ("parcels", "buildings", "intravilan"):
        values.setdefault("uat_siruta", str(request.uat_siruta))
    if target == "zones" and "plan_id" not in values and "plan" in values:
        values["plan_id"] = values.pop("plan")
    if target == "zones" and "plan_id" not in values and request.uat_siruta:
        plans = list(
            UrbanPlan.objects.filter(
                uat__siruta=request.uat_siruta, kind="PUG", status="in_vigoare"
            ).values_list("pk", flat=True)
        )
        if len(plans) == 1:
            values["plan_id"] = str(plans[0])
    return values


def import_vector(request, run, report: Report, progress) -> parcel_writer.Applied:
    target = str(run.target)  # a plain str: it travels to worker processes
    paths = data_paths(request.paths)
    values = _default_values(request, target)
    plan = values.get("plan_id")
    if (
        target == "zones"
        and plan is not None
        and (not plan.isdigit() or not UrbanPlan.objects.filter(pk=int(plan)).exists())
    ):
        raise InputRefused(f"planul urbanistic {plan} nu există")
    columns = {c.name: c for c in TARGET_COLUMNS[target]}
    sources: list[VectorSource] = []
    for path in paths:
        sources.append(
            open_vector(path, request.limits, layer=request.layer, encoding=request.encoding)
        )
    total = sum(s.count for s in sources)
    county = _county_box()
    sql_crs = None
    provided: set[str] | None = None
    staged_cols: list[str] = []
    known: np.ndarray | bool | None = False  # False: not fetched yet
    slices_of: dict[tuple[int, int], Slice] = {}
    # parcel keys as staged, while every layer is read through Arrow (None: not known)
    keys: list | None = [] if target == "parcels" else None
    done = 0
    progress("citire", 0, total)
    with connection.cursor() as cursor:
        if target == "parcels":
            parcel_writer.create_staging(cursor, subrecords=False)
            staged_cols = [c for c, _ in parcel_writer.RAW_COLUMNS]
        else:
            staged_cols = feature_writer.create_staging(
                cursor, target, {c.name: c.sql_type for c in columns.values()}
            )
        for index, source in enumerate(sources):
            for note in source.notes:
                report.add("attribute", source.name, "", note)
            resolved, notes = crs_check.resolve(source.crs, request.srs, source=source.name)
            for note in notes:
                report.add("crs", source.name, "", note)
            this_crs = _sql_crs(resolved, request.swap_axes)
            if sql_crs is not None and this_crs != sql_crs:
                raise InputRefused(
                    "fișierele au sisteme de coordonate diferite; importați-le separat",
                    source=source.name,
                )
            sql_crs = this_crs
            mapping = build_mapping(target, source.fields, request.fields, values)
            missing = [
                c.label or c.name
                for c in columns.values()
                if c.required and c.name not in mapping.sources
            ]
            if target == "zones" and "plan_id" not in mapping.sources:
                raise InputRefused(
                    "indicați planul urbanistic al UTR-urilor cu --set plan=ID (un plan "
                    "existent) sau --uat SIRUTA pentru PUG-ul în vigoare al UAT-ului",
                    source=source.name,
                )
            if missing:
                raise InputRefused(
                    f"nu găsesc în fișier câmpul pentru: {', '.join(missing)}. Indicați-l cu "
                    f"--field COLOANĂ=CÂMP (câmpuri în fișier: {', '.join(source.fields[:30])})",
                    source=source.name,
                )
            if provided is None:
                provided = mapping.provided
            elif provided != mapping.provided:
                raise InputRefused(
                    "fișierele au câmpuri diferite; importați-le separat", source=source.name
                )
            report.stats["fields"] = {k: f"{v[0]}:{v[1]}" for k, v in mapping.sources.items()}
            # the coordinates are checked on a sample before anything is staged
            geometry, _ = next(read_batches(source, [], 2_000))
            xs, ys = sample_coordinates(geometry)
            for note in crs_check.check_coordinates(
                xs,
                ys,
                resolved,
                county_box=county,
                storage_srid=settings.SRID,
                swap_axes=request.swap_axes,
                source=source.name,
            ):
                report.add("crs", source.name, "", note)
            slices = [
                Slice(
                    gdal_path=source.gdal_path,
                    layer=source.layer,
                    encoding=source.encoding,
                    target=target,
                    sources=mapping.sources,
                    staged_cols=tuple(staged_cols),
                    name=source.name,
                    seq0=index * SEQ_FILE_STRIDE,
                    start=start,
                    count=min(SLICE, source.count - start),
                )
                for start in range(0, source.count, SLICE)
            ]
            polygon = "polygon" in (source.geometry_type or "").lower()
            if _can_skip_geometries(target, this_crs, mapping.provided, polygon):
                if known is False:
                    known = _stored_fingerprints(cursor)
                if known is not None:
                    slices = [dataclasses.replace(s, skip_known=True) for s in slices]
            slices_of.update({(index, s.start): s for s in slices})
            table = parcel_writer.RAW if target == "parcels" else feature_writer.RAW
            stored = known if isinstance(known, np.ndarray) else None
            if "uat_siruta" not in mapping.sources:
                keys = None  # UATs found from the geometry: keys only known in SQL
            if arrow_batches.suits(source.geometry_type):
                # one stream, read and converted column by column in this process
                layer = dataclasses.replace(slices[0], start=0, count=source.count)
                init_known(stored)
                try:
                    with copy_stream(cursor, table, staged_cols) as write:
                        for count, text, issues, rejected in arrow_batches.stream(
                            layer, ARROW_BATCH, keys
                        ):
                            write(text)
                            for issue in issues:
                                report.add_issue(issue)
                            report.stats["rejected_in_reader"] += rejected
                            done += count
                            progress("citire", done, total)
                finally:
                    init_known(None)
                continue
            keys = None  # read feature by feature: keys not collected
            reading = _read_slices(slices, request.workers, stored)
            for part, (lines, issues, rejected) in reading:
                copy_lines(cursor, table, staged_cols, lines)
                for issue in issues:
                    report.add_issue(issue)
                report.stats["rejected_in_reader"] += rejected
                done += part.count
                progress("citire", done, total)
        assert sql_crs is not None and provided is not None
        run.srs = sql_crs.label
        run.axis_order = "x=E, y=N (inversate cu --swap-axes)" if request.swap_axes else "x=E, y=N"
        report.stats["features"] = total
        progress("scriere", 0, 3)
        if target == "parcels":
            polygons = all("polygon" in (s.geometry_type or "").lower() for s in sources)
            applied = _write_parcels(
                cursor,
                request,
                run,
                report,
                sql_crs,
                provided,
                polygons,
                progress,
                refill=lambda seqs: _fill_geometries(cursor, slices_of, seqs),
                duplicates=keys is None or not arrow_batches.unique_keys(keys),
            )
        else:
            applied = _write_features(cursor, target, report, sql_crs, provided, columns)
        progress("validare", 3, 3)
    applied.rejected += report.stats.get("rejected_in_reader", 0)
    return applied


def _read_slices(
    slices: list[Slice], workers: int, known: np.ndarray | None
) -> Iterator[tuple[Slice, tuple]]:
    """Slices in order; large layers are read and converted by two processes while this
    one COPYs (GDAL reading and Python conversion are the costly part)."""
    workers = workers or (min(2, os.cpu_count() or 1) if len(slices) >= PARALLEL_SLICES else 1)
    if workers <= 1:
        init_known(known)
        try:
            for part in slices:
                yield part, read_slice(part)
        finally:
            init_known(None)
        return
    yield from ordered_map(
        read_slice, slices, workers=workers, initializer=init_known, initargs=(known,)
    )


def _fill_geometries(cursor, slices_of: dict[tuple[int, int], Slice], seqs: list[int]) -> None:
    """Stage the geometries of these features after all: their slices are read again."""
    wanted = set(seqs)
    parts = {(seq // SEQ_FILE_STRIDE, (seq % SEQ_FILE_STRIDE) // SLICE * SLICE) for seq in seqs}
    lines: list[str] = []
    for key in sorted(parts):
        part = dataclasses.replace(slices_of[key], skip_known=False)
        lines += [ln for ln in read_slice(part)[0] if int(ln.split("\t", 1)[0]) in wanted]
    parcel_writer.fill_geometries(cursor, lines)


def _write_parcels(
    cursor, request, run, report, sql_crs, provided, polygons, progress, refill, duplicates
):
    optional = provided & set(parcel_writer.OPTIONAL)
    # with the table's validity constraint, geometries are tested once, as they are
    # written, instead of also in staging (see _write_checked)
    constraint = parcel_writer.validity_constraint(cursor)

    def normalise(assume_valid: bool) -> None:
        parcel_writer.normalise(
            cursor,
            crs=sql_crs,
            provided=optional,
            spatial_uat="uat_siruta" not in provided,
            shape=not polygons,
            assume_valid=assume_valid,
            duplicates=duplicates,
        )

    def renormalise() -> None:
        normalise(False)
        if not duplicates:
            parcel_writer.analyze_staging(cursor)

    normalise(constraint is not None)
    # geometries left out as stored, but not under their own key: stage them, again
    # (and the counts of the actions and findings: one scan of the staging)
    summary = parcel_writer.staged_summary(cursor)
    if summary.unconfirmed:
        refill(summary.unconfirmed)
        normalise(constraint is not None)
        summary = parcel_writer.staged_summary(cursor)
    report.stats["geometries_already_stored"] = summary.left_out
    if not duplicates and summary.by_action.keys() - {"same"}:
        # statistics for the writes and findings' joins (an unchanged file needs none)
        parcel_writer.analyze_staging(cursor)
    progress("scriere", 1, 3)
    source = f"vector:{Path(request.paths[0]).suffix.lstrip('.').lower()}"
    applied, renormalised = _write_checked(
        cursor,
        constraint,
        renormalise,
        summary.by_action,
        source=source,
        ref=str(run.pk),
        at=run.started_at,
        subrecords=False,
    )
    # normalised again: the summary's counts no longer hold
    parcel_writer.staging_findings(
        cursor, report, counted=None if renormalised else (summary.rejected, summary.repaired)
    )
    progress("validare", 2, 3)
    validation.check_parcels(
        cursor,
        report,
        overlap_tolerance=request.overlap_tolerance,
        area_tolerance=request.area_tolerance,
    )
    parcel_writer.drop_staging(cursor)
    return applied


def _write_checked(cursor, constraint: str | None, revalidate, by_action, **apply_args):
    """parcel_writer.apply after a normalise that took every geometry as valid: the
    table's validity constraint tests each one as it is written. If it refuses one,
    all that apply did is rolled back to a savepoint, the staging is normalised again
    (testing, repairing and noting invalid geometries) and written again (its actions
    counted again). Returns (applied, whether the staging was normalised again)."""
    if constraint is None:
        return parcel_writer.apply(cursor, by_action=by_action, **apply_args), False
    try:
        with transaction.atomic():
            return parcel_writer.apply(cursor, by_action=by_action, **apply_args), False
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != constraint:
            raise
    revalidate()
    return parcel_writer.apply(cursor, **apply_args), True


def _write_features(cursor, target, report, sql_crs, provided, columns):
    if target == "zones":
        cursor.execute(
            "SELECT DISTINCT plan_id FROM imp_feature_raw WHERE plan_id IS NOT NULL "
            "AND plan_id NOT IN (SELECT id FROM layers_urbanplan) ORDER BY 1 LIMIT 5"
        )
        missing = [str(row[0]) for row in cursor.fetchall()]
        if missing:
            raise InputRefused(f"planul urbanistic {', '.join(missing)} nu există")
    feature_writer.normalise(cursor, target, crs=sql_crs, provided=provided)
    labels = {c.name: c.label or c.name for c in columns.values()}
    labels["parcel_id"] = (
        "imobilul (număr cadastral inexistent în UAT sau nicio parcelă sub construcție)"
    )
    labels["uat_id"] = "UAT-ul (SIRUTA necunoscut sau în afara UAT-urilor)"
    feature_writer.findings(cursor, target, report, labels)
    road_ids: list[int] = []
    if target == "intravilan":
        road_ids = feature_writer.road_ids_near_intravilan(cursor)
    written = feature_writer.apply(cursor, target, provided=provided)
    if target == "roads":
        road_ids = written.ids
    if target in ("roads", "intravilan") and (written.created or written.updated):
        bands = rebuild_road_zones(road_ids=road_ids)
        report.messages.append(
            f"Zona drumului recalculată pentru {len(road_ids)} drumuri ({bands} benzi)."
        )
    feature_writer.drop_staging(cursor)
    return parcel_writer.Applied(
        created=written.created,
        updated=written.updated,
        unchanged=written.unchanged,
        rejected=written.rejected,
        parcel_ids=written.parcel_ids,
    )

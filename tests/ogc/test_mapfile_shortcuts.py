"""The generated mapfile's two shortcuts change nothing MapServer answers, and save work.

1. The map PROJECTION is spelled as MapServer spells a WMS 1.3.0 "CRS=EPSG:3844" request
   ("init=epsg:3844" "+epsgaxis=ne"), so such a request gives the layers no projection of
   their own and reprojects nothing.
2. The columns of each view and their GML types are written in (PROCESSING "ITEMS",
   gml_<column>_type/width/precision), so MapServer does not ask PostgreSQL for them
   ("select * ... where false limit 0") on every query.

Each is compared with the mapfile MapServer would get without it: the plain
"init=epsg:3844" projection and "gml_types auto" alone. The answers are the same bytes for
every request kind; MapServer's and PROJ's own debug output show the work saved.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from layers.models import Layer
from layers.publishing.mapfile import install_mapfile, map_projection, render_mapfile
from layers.publishing.services import ows_database
from tests.ogc.helpers import ALL_CRS, bbox_around, known_parcel

pytestmark = pytest.mark.django_db

PLAIN_PROJECTION = f'PROJECTION "init=epsg:{settings.SRID}" END'


def _plain(text: str) -> str:
    """The mapfile without the shortcuts: what MapServer derives by itself."""
    assert f"  {map_projection()}\n" in text
    text = text.replace(f"  {map_projection()}\n", f"  {PLAIN_PROJECTION}\n", 1)
    text = re.sub(r'(?m)^ +PROCESSING "ITEMS=[^"]*"\n', "", text)
    return re.sub(r'(?m)^ +"gml_\w+_(?:type|width|precision)" "[^"]*"\n', "", text)


def _install_pair(
    ows, layers: list[Layer], name: str, with_extents: bool = True
) -> tuple[Path, Path]:
    text = render_mapfile(
        layers=layers,
        db=ows_database(),
        online_resource=ows.url + "?",
        name=name,
        out_dir=ows.ows_dir,
        with_extents=with_extents,
    )
    plain = _plain(text)
    assert plain != text
    return (
        install_mapfile(name=name, text=text, out_dir=ows.ows_dir),
        install_mapfile(name=f"{name}-plain", text=plain, out_dir=ows.ows_dir),
    )


def _mapserv(ows, mapfile: Path, query: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [settings.MAPSERV_BIN],
        capture_output=True,
        timeout=120,
        check=True,
        env={
            "MAPSERVER_CONFIG_FILE": str(ows.ows_dir / "mapserver.conf"),
            "MS_MAPFILE": str(mapfile),
            "QUERY_STRING": query,
            "REQUEST_METHOD": "GET",
            "PROJ_DATA": str(ows.ows_dir / "proj"),
            "PATH": os.environ["PATH"],
            **env,
        },
    )


def _answers_match(ows, pair: tuple[Path, Path], queries: list[str]) -> None:
    def both(query):
        # WFS answers carry the time they were written
        return query, [
            re.sub(rb'timeStamp="[^"]*"', b"", _mapserv(ows, mapfile, query).stdout)
            for mapfile in pair
        ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        for query, (fast, plain) in pool.map(both, queries):
            assert fast == plain, (query, fast[:600], plain[:600])


def _ordered(layers) -> list[Layer]:
    return list(layers.order_by("order", "name").prefetch_related("classes"))


def test_every_request_kind_answers_exactly_as_without_the_shortcuts(ows):
    layers = _ordered(Layer.objects.filter(enabled=True))
    pair = _install_pair(ows, layers, "scurtaturi")
    views = [layer.name for layer in layers if layer.source_kind == Layer.SourceKind.VIEW]
    parcel = known_parcel()
    x, y = parcel["x"], parcel["y"]
    queries = [
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities",
    ]
    for version, crs_key, point in (("1.3.0", "CRS", "I=50&J=50"), ("1.1.1", "SRS", "X=50&Y=50")):
        for crs in ALL_CRS:
            common = (
                f"SERVICE=WMS&VERSION={version}&STYLES=&{crs_key}={crs}"
                f"&BBOX={bbox_around(x, y, 40, crs, version)}&WIDTH=101&HEIGHT=101"
            )
            queries.append(f"{common}&REQUEST=GetMap&LAYERS={','.join(views)}&FORMAT=image/png")
            for info in ("text/html", "application/vnd.ogc.gml", "application/json"):
                queries.append(
                    f"{common}&REQUEST=GetFeatureInfo&LAYERS=parcele&QUERY_LAYERS=parcele,pug_utr"
                    f"&{point}&INFO_FORMAT={info}&FEATURE_COUNT=5"
                )
    for name in views:
        for version, typename, count in (
            ("1.0.0", "TYPENAME", "MAXFEATURES"),
            ("2.0.0", "TYPENAMES", "COUNT"),
        ):
            queries.append(
                f"SERVICE=WFS&VERSION={version}&REQUEST=DescribeFeatureType&{typename}={name}"
            )
            queries.append(
                f"SERVICE=WFS&VERSION={version}&REQUEST=GetFeature&{typename}={name}&{count}=3"
            )
        queries.append(
            f"SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={name}&COUNT=3"
            "&OUTPUTFORMAT=application/json"
        )
    for srs in ("EPSG:4326", "urn:ogc:def:crs:EPSG::3844"):
        queries.append(
            "SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=parcele"
            f"&BBOX={y - 60},{x - 60},{y + 60},{x + 60},urn:ogc:def:crs:EPSG::3844&SRSNAME={srs}"
        )
    _answers_match(ows, pair, queries)


def test_a_wms_130_request_in_the_storage_crs_parses_fewer_projections(ows):
    pair = _install_pair(ows, _ordered(Layer.objects.filter(enabled=True)), "scurtaturi-proj")
    parcel = known_parcel()
    common = (
        f"SERVICE=WMS&VERSION=1.3.0&STYLES=&CRS=EPSG:{settings.SRID}&LAYERS=parcele"
        f"&BBOX={bbox_around(parcel['x'], parcel['y'], 15, 'EPSG:3844')}&WIDTH=256&HEIGHT=256"
    )
    for query in (
        f"{common}&REQUEST=GetFeatureInfo&QUERY_LAYERS=parcele&I=128&J=128&INFO_FORMAT=text/html",
        f"{common}&REQUEST=GetMap&FORMAT=image/png",
    ):
        # PROJ reports every read of its `epsg` init file: one per "init=epsg:N" parsed.
        fast, plain = (
            _mapserv(ows, mapfile, query, PROJ_DEBUG="3").stderr.count(b"pj_open_lib(epsg)")
            for mapfile in pair
        )
        assert 0 < fast < plain, (query, fast, plain)


def test_queries_do_not_ask_postgresql_for_the_columns(ows):
    pair = _install_pair(ows, _ordered(Layer.objects.filter(enabled=True)), "scurtaturi-sql")
    parcel = known_parcel()
    queries = [
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=parcele&QUERY_LAYERS=parcele"
        f"&STYLES=&CRS=EPSG:3844&BBOX={bbox_around(parcel['x'], parcel['y'], 15, 'EPSG:3844')}"
        "&WIDTH=256&HEIGHT=256&I=128&J=128&INFO_FORMAT=application/json",
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcele&COUNT=2",
    ]
    marker = b"msPostGISLayerGetItems executing SQL"
    for query in queries:
        fast, plain = (
            _mapserv(ows, mapfile, query, MS_DEBUGLEVEL="5", MS_ERRORFILE="stderr").stderr
            for mapfile in pair
        )
        assert marker in plain, query  # the comparison can fail
        assert marker not in fast, query


@pytest.fixture
def probe_view():
    """A committed view in schema `ows` with a column of every type MapServer maps to a
    GML type (MapServer reads it through its own connection, outside the test's
    transaction); dropped afterwards."""
    db = connection.settings_dict
    dsn = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "autocommit": True,
    }
    columns = {
        "id": "1::bigint",
        "b": "true",
        "i2": "2::smallint",
        "i4": "3::integer",
        "i8": "4::bigint",
        "f4": "1.5::real",
        "f8": "2.5::double precision",
        "n": "3.25::numeric",
        "n82": "3.25::numeric(8,2)",
        "n60": "7::numeric(6,0)",
        "d": "DATE '2024-01-02'",
        "t": "TIME '10:11:12'",
        "ts": "TIMESTAMP '2024-01-02 10:11:12'",
        "tstz": "TIMESTAMPTZ '2024-01-02 10:11:12+02'",
        "vc": "'ab'::varchar(12)",
        "c3": "'x'::char(3)",
        "tx": "'text'::text",
    }
    select = ", ".join(f"{value} AS {name}" for name, value in columns.items())
    with psycopg.connect(**dsn) as conn:
        conn.execute("DROP VIEW IF EXISTS ows.gfi_probe")
        conn.execute(
            f"CREATE VIEW ows.gfi_probe AS SELECT {select}, "
            f"ST_SetSRID(ST_MakePoint(371000, 481000), {settings.SRID}) AS geom"
        )
        conn.execute(
            sql.SQL("GRANT SELECT ON ows.gfi_probe TO {}").format(
                sql.Identifier(settings.OWS_DB_USER)
            )
        )
    try:
        yield [name for name in columns if name != "id"]
    finally:
        with psycopg.connect(**dsn) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute("DROP VIEW ows.gfi_probe")


def test_the_written_gml_types_are_mapservers_own_for_every_column_type(ows, probe_view):
    layer = Layer.objects.create(
        name="gfi_probe",
        title="Probe",
        group="cadastru",
        order=999,
        source_kind=Layer.SourceKind.VIEW,
        source="gfi_probe",
        geometry_type="point",
        queryable_attributes=probe_view,
        access=Layer.Access.PUBLIC,
    )
    # No extent: that would read the view in the test's transaction, and its lock would
    # keep the fixture from dropping the view.
    fast, plain = _install_pair(ows, [layer], "scurtaturi-tipuri", with_extents=False)
    text = fast.read_text()
    assert '"gml_i8_type" "Long"' in text and '"gml_n82_precision" "2"' in text
    _answers_match(
        ows,
        (fast, plain),
        [
            "SERVICE=WFS&VERSION=1.1.0&REQUEST=DescribeFeatureType&TYPENAME=gfi_probe",
            "SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=gfi_probe",
            "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=gfi_probe",
            "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=gfi_probe"
            "&OUTPUTFORMAT=application/json",
        ],
    )

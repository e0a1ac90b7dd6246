"""Generate MapServer 8 mapfiles from the layer registry, one per audience.

An audience is the set of layers a user may see; restricted layers are simply absent from
the mapfiles of those who may not see them, so MapServer itself refuses them in every
request kind. Mapfiles are written atomically and validated by a real `mapserv` run
before they replace the old ones.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from psycopg import sql
from pyproj import CRS

from layers.models import Layer, StyleClass
from layers.projection import bound_proj4

CRS_LIST = ("EPSG:3844", "EPSG:3857", "EPSG:4326", "EPSG:4258")
GROUP_TITLES = dict(Layer.Group.choices)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MAX_IMAGE_SIZE = 4096
WFS_MAX_FEATURES = 10_000


class MapfileError(RuntimeError):
    """A generated mapfile that MapServer refuses; the previous one stays in place."""


@dataclass(frozen=True)
class OwsDatabase:
    """How MapServer connects: a role that can read the `ows` schema and nothing else."""

    host: str
    port: int
    dbname: str
    user: str
    password: str

    def connection_string(self) -> str:
        parts = {
            "host": self.host,
            "port": str(self.port),
            "dbname": self.dbname,
            "user": self.user,
            "password": self.password,
        }
        return " ".join(f"{k}='{_pg_escape(v)}'" for k, v in parts.items())


def _pg_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def q(value: object) -> str:
    """A MapServer string literal."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{text}"'


def _rgb(hex_color: str) -> str:
    return " ".join(str(int(hex_color[i : i + 2], 16)) for i in (1, 3, 5))


def ogcapi_url(online_resource: str) -> str:
    """OGC API Features lives beside /ows at /ogcapi (public layers only)."""
    return online_resource.split("?")[0].rsplit("/ows", 1)[0] + "/ogcapi"


def audience_key(layer_names: Iterable[str]) -> str:
    """'public' for the public layer set, else a stable name for this exact set."""
    names = sorted(layer_names)
    public = sorted(public_layers().values_list("name", flat=True))
    if names == public:
        return "public"
    return "v-" + hashlib.sha256(",".join(names).encode()).hexdigest()[:16]


def public_layers():
    return Layer.objects.filter(enabled=True, access=Layer.Access.PUBLIC)


def visible_layers(user):
    """The enabled layers `user` may see: public ones plus those of the user's groups."""
    layers = Layer.objects.filter(enabled=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return layers.filter(access=Layer.Access.PUBLIC)
    if user.is_superuser:
        return layers
    from django.db.models import Q

    return layers.filter(
        Q(access=Layer.Access.PUBLIC) | Q(allowed_groups__in=user.groups.all())
    ).distinct()


def map_projection() -> str:
    """The PROJECTION block of every generated map: the storage SRID written exactly as
    MapServer writes a WMS 1.3.0 (or WFS 1.1/2.0) request for it.

    For "CRS=EPSG:3844" MapServer builds the projection "init=epsg:3844" "+epsgaxis=ne"
    (Stereo 70 is northing, easting in the EPSG registry) and compares its arguments with
    the map's. When they are equal, the layers (which inherit the map's projection) get no
    projection of their own and nothing is reprojected: no PROJ parse of the layer's
    projection, no reprojected query rectangle (two more parses), no transformation per
    shape: 5.5 of the 14.9 M instructions of an HTML GetFeatureInfo, 5.6 of a GetMap in
    EPSG:3844. WMS 1.1.1 "SRS=EPSG:3844" (no axis flag) now takes the reprojecting path
    instead; QGIS and the web map use 1.3.0. PROJ ignores "+epsgaxis"; MapServer reads it
    only from request CRSs.
    """
    args = [f"init=epsg:{settings.SRID}"]
    if _northing_first(settings.SRID):
        args.append("+epsgaxis=ne")
    return "PROJECTION " + " ".join(q(a) for a in args) + " END"


@cache
def _northing_first(srid: int) -> bool:
    axes = CRS.from_epsg(srid).axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


def _view_fields() -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Per view of schema `ows`: its columns but the geometry, in order, each with the
    gml_<column>_type/width/precision that MapServer's "gml_types auto" would derive
    from the column's type and modifier (msPostGISPassThroughFieldDefinitions)."""
    fields: dict[str, list[tuple[str, dict[str, str]]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, t.typname, a.atttypmod FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE n.nspname = 'ows' AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY c.relname, a.attnum"
        )
        for view, column, type_name, typmod in cursor.fetchall():
            if type_name == "geometry":
                continue
            fields.setdefault(view, []).append((column, _gml_field(type_name, typmod)))
    return fields


def _gml_field(type_name: str, typmod: int) -> dict[str, str]:
    """MapServer 8.0's own mapping (tests/ogc/test_mapfile_shortcuts.py compares them)."""
    gml = {"type": "Character"}
    if type_name in ("bpchar", "varchar") and typmod >= 4:
        gml["width"] = str(typmod - 4)
    elif type_name == "bool":
        gml |= {"type": "Integer", "width": "1"}
    elif type_name == "int2":
        gml |= {"type": "Integer", "width": "5"}
    elif type_name == "int4":
        gml["type"] = "Integer"
    elif type_name == "int8":
        gml["type"] = "Long"
    elif type_name in ("float4", "float8"):
        gml["type"] = "Real"
    elif type_name == "numeric":
        gml["type"] = "Real"
        if typmod >= 4:
            precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0xFFFF
            if scale == 0:
                gml |= {"type": "Integer", "width": str(precision)}
            else:
                gml |= {"width": str(precision), "precision": str(scale)}
    elif type_name == "date":
        gml["type"] = "Date"
    elif type_name in ("time", "timetz"):
        gml["type"] = "Time"
    elif type_name in ("timestamp", "timestamptz"):
        gml["type"] = "DateTime"
    return gml


def _layer_extent(layer: Layer) -> tuple[float, float, float, float] | None:
    if layer.source_kind != Layer.SourceKind.VIEW:
        return None
    with connection.cursor() as cursor:
        query = sql.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
            "(SELECT ST_Extent(geom) AS e FROM {}) s"
        ).format(sql.Identifier("ows", _view_name(layer)))
        cursor.execute(query.as_string(cursor.connection))
        row = cursor.fetchone()
    return None if row is None or row[0] is None else tuple(row)


def _view_name(layer: Layer) -> str:
    name = layer.source
    if not name.replace("_", "").isalnum() or not name.islower():
        raise MapfileError(f"Invalid view name for layer {layer.name}: {name!r}")
    return name


def _raster_path(layer: Layer) -> Path:
    path = Path(layer.source)
    return path if path.is_absolute() else Path(settings.VAR_DIR) / path


def render_mapfile(
    *,
    layers: list[Layer],
    db: OwsDatabase,
    online_resource: str,
    name: str,
    out_dir: Path,
    with_extents: bool = True,
) -> str:
    """The mapfile text for these layers (bottom to top in registry order).

    Each layer's EXTENT is its data's (one ST_Extent scan per view: about a second for
    1M parcels); `with_extents=False` leaves them out for renders given their extent
    (print extracts), where they only cost time.
    """
    layer_extents = {layer.pk: _layer_extent(layer) if with_extents else None for layer in layers}
    fields = _view_fields() if any(x.source_kind == Layer.SourceKind.VIEW for x in layers) else {}
    extents = [e for e in layer_extents.values() if e]
    if extents:
        extent = (
            min(e[0] for e in extents),
            min(e[1] for e in extents),
            max(e[2] for e in extents),
            max(e[3] for e in extents),
        )
    else:
        extent = (116_000.0, 215_000.0, 965_000.0, 775_000.0)  # Romania in Stereo 70
    srs = " ".join(CRS_LIST)
    out = [
        "MAP",
        f"  NAME {q('gisapp_' + name.replace('-', '_'))}",
        "  STATUS ON",
        "  UNITS METERS",
        "  SIZE 800 600",
        f"  MAXSIZE {MAX_IMAGE_SIZE}",
        "  EXTENT {:.2f} {:.2f} {:.2f} {:.2f}".format(*extent),
        "  IMAGECOLOR 255 255 255",
        "  DEFRESOLUTION 96",
        "  RESOLUTION 96",
        f"  FONTSET {q(out_dir / 'fonts.txt')}",
        f"  {map_projection()}",
        '  CONFIG "MS_ERRORFILE" "stderr"',
        '  OUTPUTFORMAT NAME "png" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGBA',
        '    EXTENSION "png" TRANSPARENT ON FORMATOPTION "COMPRESSION=1" END',
        '  OUTPUTFORMAT NAME "jpeg" DRIVER "AGG/JPEG" MIMETYPE "image/jpeg" IMAGEMODE RGB',
        '    EXTENSION "jpg" FORMATOPTION "QUALITY=85" END',
        '  OUTPUTFORMAT NAME "application/json" DRIVER "OGR/GEOJSON" MIMETYPE "application/json"',
        '    FORMATOPTION "STORAGE=memory" FORMATOPTION "FORM=SIMPLE"',
        '    FORMATOPTION "FILENAME=result.json" FORMATOPTION "LCO:WRITE_BBOX=YES" END',
        "  WEB",
        f"    HEADER {q(out_dir / 'templates' / 'header.html')}",
        f"    FOOTER {q(out_dir / 'templates' / 'footer.html')}",
        "    METADATA",
        f'      "ows_title" {q(f"Date spațiale – județul {settings.DEMO_COUNTY_NAME}")}',
        '      "ows_abstract" "Cadastru, drumuri județene, urbanism și restricții (Stereo 70)."',
        f'      "ows_onlineresource" {q(online_resource)}',
        f'      "ows_srs" {q(srs)}',
        '      "ows_enable_request" "*"',
        '      "ows_encoding" "UTF-8"',
        f'      "ows_contactorganization" {q(settings.OWS_CONTACT["organization"])}',
        f'      "ows_contactperson" {q(settings.OWS_CONTACT["person"])}',
        f'      "ows_contactelectronicmailaddress" {q(settings.OWS_CONTACT["email"])}',
        '      "ows_addresstype" "postal"',
        f'      "ows_address" {q(settings.OWS_CONTACT["address"])}',
        f'      "ows_city" {q(settings.OWS_CONTACT["city"])}',
        f'      "ows_stateorprovince" {q(settings.DEMO_COUNTY_NAME)}',
        f'      "ows_postcode" {q(settings.OWS_CONTACT["postcode"])}',
        '      "ows_country" "Romania"',
        '      "ows_keywordlist" "cadastru,drumuri,urbanism,PUG,Stereo 70"',
        '      "ows_fees" "none"',
        '      "ows_accessconstraints" "none"',
        '      "wms_sld_enabled" "false"',
        '      "wms_feature_info_mime_type" "text/html"',
        '      "wms_getfeatureinfo_formatlist"',
        '        "text/html,application/vnd.ogc.gml,application/json"',
        '      "wms_getmap_formatlist" "image/png,image/jpeg"',
        f'      "wfs_maxfeatures" "{WFS_MAX_FEATURES}"',
        '      "wfs_getfeature_formatlist" "application/json"',
        '      "wfs_namespace_prefix" "gisapp"',
        '      "wfs_namespace_uri" "https://gisapp.example/ows"',
        '      "wfs_features_caps_version" "2.0.0"',
        '      "oga_enable_request" "*"',
        f'      "oga_onlineresource" {q(ogcapi_url(online_resource))}',
        f'      "oga_html_template_directory" {q(settings.OGCAPI_TEMPLATES)}',
        "    END",
        "  END",
        "  LEGEND",
        "    KEYSIZE 24 14",
        '    LABEL TYPE TRUETYPE FONT "sans" SIZE 9 COLOR 0 0 0 ENCODING "UTF-8" END',
        "  END",
    ]
    for layer in layers:
        is_view = layer.source_kind == Layer.SourceKind.VIEW
        view_fields = fields.get(_view_name(layer), []) if is_view else []
        out.extend(_render_layer(layer, db, out_dir, layer_extents[layer.pk], view_fields))
    out.append("END")
    return "\n".join(out) + "\n"


def _render_layer(
    layer: Layer,
    db: OwsDatabase,
    out_dir: Path,
    extent: tuple[float, float, float, float] | None,
    fields: list[tuple[str, dict[str, str]]] | None = None,
) -> list[str]:
    group_title = GROUP_TITLES.get(layer.group, layer.group)
    out = [
        "  LAYER",
        f"    NAME {q(layer.name)}",
        "    STATUS ON",
        f"    GROUP {q('grup_' + layer.group)}",
    ]
    if layer.min_scale:
        out.append(f"    MINSCALEDENOM {layer.min_scale}")
    if layer.max_scale:
        out.append(f"    MAXSCALEDENOM {layer.max_scale}")
    meta = {
        "ows_title": layer.title,
        "ows_abstract": layer.abstract or layer.title,
        "wms_group_title": group_title,
        "ows_srs": " ".join(CRS_LIST),
    }
    # No PROJECTION per layer: layers inherit the map's (the storage SRID), and MapServer
    # keeps them there when a request changes the map CRS. Each PROJECTION block costs a
    # PROJ string parse on every request (~1.6 M instructions with PROJ 9.1).
    if layer.source_kind == Layer.SourceKind.RASTER:
        out += ["    TYPE RASTER", f"    DATA {q(_raster_path(layer))}"]
        out.append('    PROCESSING "RESAMPLE=AVERAGE"')
        meta["wms_enable_request"] = "GetMap GetCapabilities GetLegendGraphic"
        meta["wfs_enable_request"] = "!*"
    elif layer.source_kind == Layer.SourceKind.WMS:
        out += [
            "    TYPE RASTER",
            "    CONNECTIONTYPE WMS",
            f"    CONNECTION {q(layer.source)}",
        ]
        meta |= {
            "wms_name": layer.source_layer,
            "wms_server_version": "1.3.0",
            "wms_format": "image/png",
            "wms_srs": "EPSG:3844 EPSG:3857",
            "wfs_enable_request": "!*",
        }
    else:
        items = ",".join(layer.queryable_attributes)
        geom_type = {"polygon": "POLYGON", "line": "LINE", "point": "POINT"}[layer.geometry_type]
        out += [
            f"    TYPE {geom_type}",
            "    CONNECTIONTYPE POSTGIS",
            f"    CONNECTION {q(db.connection_string())}",
            "    DATA "
            + q(f"geom FROM ows.{_view_name(layer)} USING UNIQUE id USING SRID={settings.SRID}"),
            f"    TEMPLATE {q(out_dir / 'templates' / (layer.name + '.html'))}",
            "    TOLERANCE 3",
            "    TOLERANCEUNITS PIXELS",
            # keep the PostgreSQL connection open across FastCGI requests (a new backend
            # per request costs more than drawing a tile)
            '    PROCESSING "CLOSE_CONNECTION=DEFER"',
        ]
        if fields:
            # The view's columns, known here: MapServer would otherwise ask PostgreSQL for
            # them ("select * ... where false limit 0") on every query and WFS request.
            out.append(f"    PROCESSING {q('ITEMS=' + ','.join(name for name, _ in fields))}")
        if layer.label_attribute:
            out.append(f"    LABELITEM {q(layer.label_attribute)}")
            if layer.label_max_scale:
                out.append(f"    LABELMAXSCALEDENOM {layer.label_max_scale}")
        if extent:
            # Capabilities read the extent from metadata (no table scan); an EXTENT keyword
            # would also make MapServer reproject it on every GetMap (msLayerIsVisible),
            # which with PROJ 9.1 costs ~25 ms per layer.
            meta["ows_extent"] = "{:.2f} {:.2f} {:.2f} {:.2f}".format(*extent)
        meta |= {
            "ows_include_items": items,
            "gml_include_items": items,
            "gml_featureid": "id",
            "gml_types": "auto",
            "wfs_getfeature_formatlist": "application/json",
            "wms_include_items": items,
        }
        # What "gml_types auto" derived from the columns when MapServer read them itself
        # (only the published ones are ever written).
        # A plain string is what MapServer assumes of an item without them.
        published = set(layer.queryable_attributes)
        for name, gml in fields or []:
            if name in published and gml != {"type": "Character"}:
                meta |= {f"gml_{name}_{key}": value for key, value in gml.items()}
    out.append("    METADATA")
    out += [f"      {q(k)} {q(v)}" for k, v in meta.items()]
    out.append("    END")
    for style in layer.classes.all():
        out.extend(_render_class(layer, style))
    out.append("  END")
    return out


def _render_class(layer: Layer, style: StyleClass) -> list[str]:
    out = ["    CLASS", f"      NAME {q(style.name)}"]
    if style.filter_attribute:
        expr = f'("[{style.filter_attribute}]" = "{_expr_escape(style.filter_value)}")'
        out.append(f"      EXPRESSION {expr}")
    if layer.geometry_type == "polygon" and style.fill_color:
        out += [
            "      STYLE",
            f"        COLOR {_rgb(style.fill_color)}",
            f"        OPACITY {style.fill_opacity}",
            "      END",
        ]
    if style.stroke_color and style.stroke_width:
        out += [
            "      STYLE",
            f"        OUTLINECOLOR {_rgb(style.stroke_color)}"
            if layer.geometry_type == "polygon"
            else f"        COLOR {_rgb(style.stroke_color)}",
            f"        WIDTH {style.stroke_width}",
            "      END",
        ]
    if layer.label_attribute:
        color = _rgb(style.label_color or "#000000")
        out += [
            "      LABEL",
            '        TYPE TRUETYPE FONT "sans" SIZE ' + str(style.label_size),
            f"        COLOR {color} OUTLINECOLOR 255 255 255 OUTLINEWIDTH 2",
            '        ENCODING "UTF-8" PARTIALS FALSE MINDISTANCE 50',
            "        POSITION AUTO" if layer.geometry_type != "line" else "        ANGLE FOLLOW",
            "      END",
        ]
    out.append("    END")
    return out


def _expr_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _write_support_files(out_dir: Path, layers: list[Layer]) -> None:
    """Font set and GetFeatureInfo HTML templates (values HTML-escaped by MapServer)."""
    templates = out_dir / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (out_dir / "fonts.txt").write_text(f"sans {FONT}\n")
    magic = "<!-- MapServer Template -->\n"
    (templates / "header.html").write_text(
        magic + '<!DOCTYPE html><html lang="ro"><head><meta charset="utf-8">'
        "<title>Informații</title></head><body>\n"
    )
    (templates / "footer.html").write_text(magic + "</body></html>\n")
    for layer in layers:
        if layer.source_kind != Layer.SourceKind.VIEW:
            continue
        rows = "".join(
            f'<tr><th>{attr}</th><td>[item name="{attr}" escape="html"]</td></tr>'
            for attr in layer.queryable_attributes
        )
        (templates / f"{layer.name}.html").write_text(
            magic + f'<table class="gfi" data-layer="{layer.name}">'
            f"<caption>{layer.title}</caption>{rows}</table>\n"
        )


def proj_data_dir(out_dir: Path) -> Path:
    """A PROJ data directory whose `epsg` init file carries the Stereo 70 datum shift.

    MapServer resolves "init=epsg:N" (mapfiles and request CRS alike) through PROJ's legacy
    init rules; with several EPSG transformations for Pulkovo 1942(58) and no shift in the
    definition, PROJ 9.1 falls back to a ballpark operation (~120 m off) in some code paths,
    and WMS 1.3.0 EPSG:4326 maps at parcel zoom come out empty. Every other PROJ resource
    is the system's, linked in.
    """
    target = out_dir / "proj"
    target.mkdir(parents=True, exist_ok=True)
    system = Path(settings.PROJ_SYSTEM_DATA)
    for item in system.iterdir():
        link = target / item.name
        if item.name != "epsg" and not link.exists():
            link.symlink_to(item)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        definitions = {
            settings.SRID: bound_proj4(settings.SRID),
            4326: CRS.from_epsg(4326).to_proj4(),
            3857: CRS.from_epsg(3857).to_proj4(),
            # ETRS89 is WGS 84 within a metre; the null shift keeps PROJ off ballpark paths.
            4258: CRS.from_epsg(4258).to_proj4() + " +towgs84=0,0,0,0,0,0,0",
        }
    text = "".join(
        f"<{code}> {definition.replace(' +type=crs', '')} <>\n"
        for code, definition in definitions.items()
    )
    epsg = target / "epsg"
    if not epsg.exists() or epsg.read_text() != text:
        _atomic_write(epsg, text)
    return target


def mapserver_config(out_dir: Path) -> Path:
    """The MapServer 8 config file: mapfile paths from requests are never accepted."""
    path = out_dir / "mapserver.conf"
    proj = proj_data_dir(out_dir)
    text = (
        "CONFIG\n"
        "  ENV\n"
        '    MS_MAP_NO_PATH "1"\n'
        '    MS_MAP_PATTERN "^$"\n'
        '    MS_ERRORFILE "stderr"\n'
        f'    PROJ_DATA "{proj}"\n'
        f'    PROJ_LIB "{proj}"\n'
        "  END\n"
        "  MAPS\n"
        # the only map a request may name: the public one (OGC API Features paths)
        f'    PUBLIC "{out_dir / "public.map"}"\n'
        "  END\n"
        "END\n"
    )
    if not path.exists() or path.read_text() != text:
        _atomic_write(path, text)
    return path


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)


def validate_mapfile(path: Path, config: Path) -> None:
    """Ask `mapserv` itself for the capabilities of the mapfile; raise if it refuses."""
    env = {
        "MAPSERVER_CONFIG_FILE": str(config),
        "MS_MAPFILE": str(path),
        "QUERY_STRING": "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
        "REQUEST_METHOD": "GET",
        "PROJ_DATA": str(config.parent / "proj"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    result = subprocess.run(
        [settings.MAPSERV_BIN], env=env, capture_output=True, timeout=60, check=False
    )
    if b"<WMS_Capabilities" not in result.stdout:
        detail = (result.stdout[-2000:] + result.stderr[-2000:]).decode(errors="replace")
        raise MapfileError(f"MapServer refused {path.name}: {detail}")


def write_mapfile(
    *, name: str, layers: list[Layer], db: OwsDatabase, online_resource: str, out_dir: Path
) -> Path:
    """Render, validate and atomically install `<out_dir>/<name>.map`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_support_files(out_dir, layers)
    text = render_mapfile(
        layers=layers, db=db, online_resource=online_resource, name=name, out_dir=out_dir
    )
    return install_mapfile(name=name, text=text, out_dir=out_dir)


def install_mapfile(*, name: str, text: str, out_dir: Path) -> Path:
    """Validate `text` with mapserv and only then replace `<out_dir>/<name>.map` atomically."""
    config = mapserver_config(out_dir)
    target = out_dir / f"{name}.map"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".map")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o640)
    try:
        validate_mapfile(Path(tmp), config)
    except Exception:
        os.unlink(tmp)
        raise
    os.replace(tmp, target)
    return target

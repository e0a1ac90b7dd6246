"""Checks of a layer's source before it is published (used by the admin form)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from owslib.wms import WebMapService

from layers.models import Layer


def view_columns(view: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'ows' AND table_name = %s",
            [view],
        )
        return {row[0] for row in cursor.fetchall()}


def check_external_wms(url: str, layer_name: str, timeout: int = 15) -> str:
    """Read the remote capabilities with owslib; return the layer's title or raise."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError("Adresa serviciului WMS trebuie să înceapă cu http:// sau https://")
    try:
        wms = WebMapService(url, version="1.3.0", timeout=timeout)
    except Exception as exc:  # owslib raises many kinds: network, XML, HTTP
        raise ValidationError(f"Serviciul WMS nu răspunde corect: {exc}") from exc
    if layer_name not in wms.contents:
        raise ValidationError(
            f"Stratul „{layer_name}” nu există în serviciu; straturi disponibile: "
            + ", ".join(sorted(wms.contents)[:20])
        )
    return wms.contents[layer_name].title or layer_name


def check_source(layer: Layer) -> None:
    """Raise ValidationError when the layer's source cannot be published as configured."""
    if layer.source_kind == Layer.SourceKind.VIEW:
        columns = view_columns(layer.source)
        if not columns:
            raise ValidationError({"source": f"Nu există vederea ows.{layer.source}."})
        missing = set(layer.queryable_attributes) - columns
        if layer.label_attribute and layer.label_attribute not in columns:
            missing.add(layer.label_attribute)
        for style in layer.classes.all() if layer.pk else []:
            if style.filter_attribute and style.filter_attribute not in columns:
                missing.add(style.filter_attribute)
        if missing:
            raise ValidationError(
                {"queryable_attributes": "Coloane inexistente: " + ", ".join(sorted(missing))}
            )
    elif layer.source_kind == Layer.SourceKind.RASTER:
        path = Path(layer.source)
        path = path if path.is_absolute() else Path(settings.VAR_DIR) / path
        if not path.is_file():
            raise ValidationError({"source": f"Fișierul raster nu există: {path}"})
    elif layer.source_kind == Layer.SourceKind.WMS:
        try:
            check_external_wms(layer.source, layer.source_layer)
        except ValidationError as exc:
            raise ValidationError({"source": exc.messages}) from exc

"""Map extracts rendered by MapServer at print resolution: scale, size and the subject."""

from __future__ import annotations

import io

import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from layers.models import Layer, Parcel
from layers.publishing import extracts
from layers.publishing.extracts import (
    ExtractError,
    choose_scale,
    render_extract,
    render_extracts,
)

pytestmark = pytest.mark.django_db


def _red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


@pytest.fixture
def house_plot() -> Parcel:
    return Parcel.objects.filter(intravilan=True).order_by("pk")[40]


@pytest.mark.parametrize(("image_format", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG")])
def test_plan_de_situatie_has_the_right_scale_size_and_subject(
    house_plot, image_format, pil_format
):
    extract = render_extract(subject=house_plot.geom, kind="situatie", image_format=image_format)
    assert extract.scale == 500
    assert (extract.width_px, extract.height_px) == (2126, 1535)  # 180 × 130 mm at 300 dpi
    opened = Image.open(io.BytesIO(extract.image))
    # No alpha channel: WeasyPrint would split it into a second image (DOMAIN: print only).
    assert (opened.format, opened.mode) == (pil_format, "RGB")
    assert extract.mime_type == f"image/{image_format}"
    image = opened.convert("RGB")
    assert image.size == (2126, 1535)
    xmin, ymin, xmax, ymax = house_plot.geom.extent
    # The red outline runs along the subject's edges at the predicted pixel positions.
    left, top = extract.to_pixel(xmin, ymax)
    right, bottom = extract.to_pixel(xmax, ymin)
    middle_y = round((top + bottom) / 2)
    row = [image.getpixel((x, middle_y)) for x in range(image.size[0])]
    red_columns = [x for x, p in enumerate(row) if _red(p)]
    assert abs(red_columns[0] - left) <= 6 and abs(red_columns[-1] - right) <= 6
    # Scale: the parcel's width in metres is this many pixels at 1:500 and 300 dpi.
    measured = red_columns[-1] - red_columns[0]
    assert measured == pytest.approx(extract.metres_to_pixels(xmax - xmin), abs=10)
    assert extract.metres_to_pixels(1) == pytest.approx(300 / 0.0254 / 500)


def test_plan_de_incadrare_scale_depends_on_intravilan(house_plot):
    field = Parcel.objects.filter(intravilan=False).order_by("pk").first()
    assert choose_scale(house_plot.geom, "incadrare") == 5000
    assert choose_scale(field.geom, "incadrare") == 10_000
    extract = render_extract(subject=field.geom, kind="incadrare")
    assert extract.scale == 10_000
    image = Image.open(io.BytesIO(extract.png)).convert("RGB")
    cx, cy = extract.to_pixel(field.geom.centroid.x, field.geom.centroid.y)
    assert abs(cx - extract.width_px / 2) < 1 and abs(cy - extract.height_px / 2) < 1
    colours = {image.getpixel((x, y)) for x in range(0, 2126, 50) for y in range(0, 1535, 50)}
    assert len(colours) > 20


def test_situation_scale_grows_with_the_subject(house_plot):
    x, y = house_plot.geom.centroid.coords
    for size, expected in ((60, 500), (120, 1000), (200, 2000), (600, 5000)):
        square = Polygon.from_bbox((x, y, x + size, y + size * 0.5))
        square.srid = 3844
        assert choose_scale(square, "situatie") == expected, size


def test_access_extract_marks_the_access_point(house_plot):
    point = house_plot.geom.centroid
    extract = render_extract(subject=house_plot.geom, kind="acces", center=point, scale=500)
    image = Image.open(io.BytesIO(extract.png)).convert("RGB")
    r, _g, b = image.getpixel((extract.width_px // 2, extract.height_px // 2))
    assert b > 200 and r < 60  # the blue access symbol at the centre


def test_extracts_render_together_in_request_order(house_plot):
    field = Parcel.objects.filter(intravilan=False).order_by("pk").first()
    results = render_extracts(
        [
            {"subject": field.geom, "kind": "incadrare", "image_format": "jpeg"},
            {"subject": house_plot.geom, "kind": "situatie", "image_format": "jpeg"},
        ]
    )
    assert [r.kind for r in results] == ["incadrare", "situatie"]
    assert [r.scale for r in results] == [10_000, 500]
    for result in results:
        assert result.to_pixel(*result.extent[:2]) == (0, result.height_px)  # lower left
        assert Image.open(io.BytesIO(result.image)).size == (2126, 1535)
    with pytest.raises(ValueError):
        results[0].png  # asked for JPEG  # noqa: B018


def test_failed_extract_is_reported_in_its_place(house_plot, settings):
    settings.OWS_DB_PORT = 1  # MapServer cannot reach the database: a real failure
    (result,) = render_extracts([{"subject": house_plot.geom}])
    assert isinstance(result, ExtractError)
    with pytest.raises(ExtractError):
        render_extract(subject=house_plot.geom)


def test_enlarged_orthophoto_is_resampled_nearest(house_plot):
    """AVERAGE only pays off when the print reduces the raster; enlarging, it costs most
    of the drawing time for the same pixels."""
    ortho = Layer.objects.filter(source_kind=Layer.SourceKind.RASTER, enabled=True).first()
    assert ortho is not None
    layers = [ortho]
    at_500 = extracts._print_mapfile(house_plot.geom, None, layers, 500, 300)
    assert "RESAMPLE=NEAREST" in at_500 and "RESAMPLE=AVERAGE" not in at_500
    # 1 m pixels shown at 2.1 m per print pixel (1:25 000): averaged
    at_25k = extracts._print_mapfile(house_plot.geom, None, layers, 25_000, 300)
    assert "RESAMPLE=AVERAGE" in at_25k and "RESAMPLE=NEAREST" not in at_25k


def test_print_mapfile_scans_no_layer_extent(house_plot):
    """The print gives MapServer its extent: an ST_Extent scan per view (about a second for
    1M parcels) would only cost time."""
    layers = list(Layer.objects.filter(enabled=True).prefetch_related("classes"))
    with CaptureQueriesContext(connection) as queries:
        text = extracts._print_mapfile(house_plot.geom, None, layers, 500, 300)
    assert not any("ST_Extent" in q["sql"] for q in queries.captured_queries)
    assert "ows_extent" not in text and "parcele" in text

"""Map extracts rendered by MapServer at print resolution: scale, size and the subject."""

from __future__ import annotations

import io

import pytest
from django.contrib.gis.geos import Polygon
from PIL import Image

from layers.models import Parcel
from layers.publishing.extracts import choose_scale, render_extract

pytestmark = pytest.mark.django_db


def _red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


@pytest.fixture
def house_plot() -> Parcel:
    return Parcel.objects.filter(intravilan=True).order_by("pk")[40]


def test_plan_de_situatie_has_the_right_scale_size_and_subject(house_plot):
    extract = render_extract(subject=house_plot.geom, kind="situatie")
    assert extract.scale == 500
    assert (extract.width_px, extract.height_px) == (2126, 1535)  # 180 × 130 mm at 300 dpi
    image = Image.open(io.BytesIO(extract.png)).convert("RGB")
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

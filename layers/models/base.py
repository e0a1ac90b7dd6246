"""Shared pieces of the spatial models: the storage SRID and the index/validity idiom."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Func, Q

SRID: int = settings.SRID


def gist_index(table: str, field: str = "geom") -> GistIndex:
    """A named GiST index on a geometry column."""
    return GistIndex(fields=[field], name=f"{table}_{field}_gist")


def valid_geometry(table: str, field: str = "geom") -> models.CheckConstraint:
    """A named constraint refusing invalid geometries (OGC validity)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isvalid": True}), name=f"{table}_{field}_valid"
    )


class ST_Area(Func):
    """Planar area in the storage SRID (square metres in Stereo 70)."""

    function = "ST_Area"
    output_field = models.FloatField()


class GeometryMD5(Func):
    """md5 of a geometry's WKB: a fingerprint that imports compare with the one of the
    incoming feature, so an unchanged geometry need not be sent to the database."""

    template = "md5(ST_AsBinary(%(expressions)s))"
    output_field = models.CharField(max_length=32)

"""Public API of the spatial database: the overlap analysis of a parcel or a footprint."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from layers.analysis import InvalidSubject, UnknownParcel, analyse, analyse_parcels

CRS_ALIASES = {
    "EPSG:4326": 4326,
    "CRS:84": 4326,
    "urn:ogc:def:crs:OGC:1.3:CRS84": 4326,
    "EPSG:3844": 3844,
    "urn:ogc:def:crs:EPSG::3844": 3844,
}


def parse_geojson(value: dict, crs: str) -> GEOSGeometry:
    """A GeoJSON geometry in a declared CRS (GeoJSON's own axis order: x = easting/lon)."""
    if crs not in CRS_ALIASES:
        raise serializers.ValidationError(
            _("CRS nesuportat: %(crs)s; folosiți EPSG:4326 sau EPSG:3844.") % {"crs": crs}
        )
    try:
        geom = GEOSGeometry(json.dumps(value))
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise serializers.ValidationError(
            _("Geometrie GeoJSON invalidă: %(error)s") % {"error": exc}
        ) from exc
    geom.srid = CRS_ALIASES[crs]
    return geom


class AnalysisParcelRefSerializer(serializers.Serializer):
    uat = serializers.IntegerField(help_text="Codul SIRUTA al UAT")
    cadastral_number = serializers.CharField(max_length=30)


class ProposedSerializer(serializers.Serializer):
    built_area = serializers.FloatField(required=False, min_value=0)
    floor_area = serializers.FloatField(required=False, min_value=0)
    height = serializers.FloatField(required=False, min_value=0)
    levels = serializers.IntegerField(required=False, min_value=0, max_value=200)
    use = serializers.CharField(required=False, max_length=200)
    traffic_generating = serializers.BooleanField(required=False)
    demolish_existing = serializers.BooleanField(required=False)
    footprint = serializers.JSONField(required=False, help_text="GeoJSON, în CRS-ul cererii")
    access_point = serializers.JSONField(required=False, help_text="GeoJSON Point")


class AnalysisRequestSerializer(serializers.Serializer):
    geometry = serializers.JSONField(required=False, help_text="GeoJSON geometry (suprafață)")
    crs = serializers.CharField(required=False, default="EPSG:4326")
    parcels = AnalysisParcelRefSerializer(many=True, required=False)
    proposed = ProposedSerializer(required=False)

    def validate(self, attrs):
        has_geometry = attrs.get("geometry") is not None
        if has_geometry == bool(attrs.get("parcels")):
            raise serializers.ValidationError(
                _("Indicați fie „geometry”, fie „parcels” (UAT + număr cadastral).")
            )
        crs = attrs["crs"]
        if has_geometry:
            attrs["subject"] = parse_geojson(attrs["geometry"], crs)
        proposed = dict(attrs.get("proposed") or {})
        for key in ("footprint", "access_point"):
            if proposed.get(key) is not None:
                proposed[key] = parse_geojson(proposed[key], crs)
        attrs["proposed"] = proposed
        return attrs


class AnalysisView(APIView):
    """Overlap analysis (UTR rules, restrictions, road zone and km position, findings).

    Public: the answer holds no personal data.
    """

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=AnalysisRequestSerializer,
        responses={200: dict, 400: dict},
        examples=[
            OpenApiExample(
                "Imobil",
                value={"parcels": [{"uat": 900001, "cadastral_number": "50038"}]},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = AnalysisRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if "subject" in data:
                result = analyse(data["subject"], proposed=data["proposed"])
            else:
                result = analyse_parcels(
                    [(p["uat"], p["cadastral_number"]) for p in data["parcels"]],
                    proposed=data["proposed"],
                )
        except (UnknownParcel, InvalidSubject) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        result["subject"]["geometry_srid"] = settings.SRID
        return Response(result)

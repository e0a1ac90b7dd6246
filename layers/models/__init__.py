"""The spatial database: cadastre, county roads, urban plans and restrictions (EPSG:3844)."""

from layers.models.cadastre import UAT, Building, Intravilan, LandUse, Parcel, PropertyRight
from layers.models.history import ParcelVersion
from layers.models.registry import Layer, StyleClass
from layers.models.restrictions import Restriction
from layers.models.roads import CountyRoad, RoadZone, RoadZoneRule
from layers.models.urbanism import UrbanPlan, Zone

__all__ = [
    "UAT",
    "Building",
    "CountyRoad",
    "Intravilan",
    "LandUse",
    "Layer",
    "Parcel",
    "ParcelVersion",
    "PropertyRight",
    "Restriction",
    "RoadZone",
    "RoadZoneRule",
    "StyleClass",
    "UrbanPlan",
    "Zone",
]

"""GeoDjango admin for the spatial database, with map widgets (OpenLayers)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from layers.models import (
    UAT,
    Building,
    CountyRoad,
    Intravilan,
    LandUse,
    Layer,
    Parcel,
    PropertyRight,
    Restriction,
    RoadZone,
    RoadZoneRule,
    StyleClass,
    UrbanPlan,
    Zone,
)
from layers.publishing.sources import check_source


class MapAdmin(GISModelAdmin):
    gis_widget_kwargs = {"attrs": {"default_zoom": 14}}


@admin.register(UAT)
class UATAdmin(MapAdmin):
    list_display = ["name", "siruta", "kind", "county"]
    search_fields = ["name", "siruta"]
    list_filter = ["kind", "county"]


@admin.register(Intravilan)
class IntravilanAdmin(MapAdmin):
    list_display = ["locality", "uat"]
    list_select_related = ["uat"]


class LandUseInline(admin.TabularInline):
    model = LandUse
    extra = 0


class PropertyRightInline(admin.TabularInline):
    model = PropertyRight
    extra = 0


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    fields = ["number", "destination", "levels", "legal_area", "built_area"]
    readonly_fields = ["built_area"]


@admin.register(Parcel)
class ParcelAdmin(MapAdmin):
    list_display = ["cadastral_number", "uat", "address", "intravilan", "measured_area"]
    list_select_related = ["uat"]
    list_filter = ["intravilan", "uat"]
    search_fields = ["=cadastral_number", "land_book_number", "address"]
    readonly_fields = ["measured_area", "source", "import_ref", "imported_at"]
    inlines = [LandUseInline, BuildingInline, PropertyRightInline]
    show_full_result_count = False


@admin.register(Building)
class BuildingAdmin(MapAdmin):
    list_display = ["__str__", "destination", "levels", "built_area"]
    raw_id_fields = ["parcel"]
    readonly_fields = ["built_area"]
    show_full_result_count = False


@admin.register(CountyRoad)
class CountyRoadAdmin(MapAdmin):
    list_display = ["number", "name", "category", "km_start", "administrator"]
    search_fields = ["number", "name"]


@admin.register(RoadZoneRule)
class RoadZoneRuleAdmin(admin.ModelAdmin):
    list_display = [
        "category",
        "intravilan",
        "ampriza_half_width",
        "safety_width",
        "protection_distance",
        "traffic_generator_distance",
    ]


@admin.register(RoadZone)
class RoadZoneAdmin(MapAdmin):
    list_display = ["road", "band", "intravilan"]
    list_filter = ["band", "intravilan", "road"]

    def has_add_permission(self, request) -> bool:
        return False  # derived from roads and rules

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ZoneInline(admin.StackedInline):
    model = Zone
    extra = 0
    exclude = ["geom"]


@admin.register(UrbanPlan)
class UrbanPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "uat", "decision_number", "decision_date", "status"]
    list_filter = ["kind", "status"]
    inlines = [ZoneInline]


@admin.register(Zone)
class ZoneAdmin(MapAdmin):
    list_display = ["code", "name", "plan", "pot_max", "cut_max", "height_max"]
    list_filter = ["plan__uat"]


@admin.register(Restriction)
class RestrictionAdmin(MapAdmin):
    list_display = ["name", "kind", "code", "authority"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


class StyleClassInline(admin.TabularInline):
    model = StyleClass
    extra = 0


class LayerForm(forms.ModelForm):
    class Meta:
        model = Layer
        fields = [
            "name",
            "title",
            "abstract",
            "group",
            "order",
            "source_kind",
            "source",
            "source_layer",
            "geometry_type",
            "min_scale",
            "max_scale",
            "label_attribute",
            "label_max_scale",
            "queryable_attributes",
            "access",
            "allowed_groups",
            "enabled",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            check_source(Layer(**{k: v for k, v in cleaned.items() if k != "allowed_groups"}))
        return cleaned


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    form = LayerForm
    list_display = ["name", "title", "group", "order", "source_kind", "access", "enabled"]
    list_editable = ["order", "enabled"]
    list_filter = ["group", "access", "enabled"]
    filter_horizontal = ["allowed_groups"]
    inlines = [StyleClassInline]

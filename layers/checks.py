"""System checks: the storage SRID must be a projected CRS in metres."""

from django.conf import settings
from django.core import checks
from pyproj import CRS


@checks.register()
def storage_srid_is_metric(app_configs, **kwargs) -> list[checks.CheckMessage]:
    crs = CRS.from_epsg(settings.SRID)
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or units != {"metre"}:
        return [
            checks.Error(
                f"SRID {settings.SRID} is not a projected CRS in metres; areas and "
                "distances of the legal analysis would be wrong.",
                id="layers.E001",
            )
        ]
    return []

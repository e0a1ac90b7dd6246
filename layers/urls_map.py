"""URLs of the web map's JSON endpoints; included under /api/map/ by the project."""

from django.urls import path

from layers import api_map

app_name = "layers_map"
urlpatterns = [
    path("config/", api_map.MapConfigView.as_view(), name="config"),
    path("identify/", api_map.IdentifyView.as_view(), name="identify"),
    path("search/", api_map.SearchView.as_view(), name="search"),
    path(
        "parcels/<int:siruta>/<str:number>/",
        api_map.ParcelCardView.as_view(),
        name="parcel",
    ),
    path("roads/km/", api_map.RoadKmView.as_view(), name="road-km"),
    path("print/", api_map.PrintView.as_view(), name="print"),
]

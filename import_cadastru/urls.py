"""Officers' import pages."""

app_name = "import_cadastru"
urlpatterns: list = []

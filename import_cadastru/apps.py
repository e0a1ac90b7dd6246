from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportCadastruConfig(AppConfig):
    name = "import_cadastru"
    verbose_name = _("Import cadastru")

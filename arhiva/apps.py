from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArhivaConfig(AppConfig):
    name = "arhiva"
    verbose_name = _("Arhiva digitală")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistraturaConfig(AppConfig):
    name = "registratura"
    verbose_name = _("Registratură")

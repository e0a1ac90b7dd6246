from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Baza de date spațială")

    def ready(self) -> None:
        from layers import checks, signals  # noqa: F401 - registers checks and receivers

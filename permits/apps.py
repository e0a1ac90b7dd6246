from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Autorizări")

    def ready(self) -> None:
        from permits import receivers  # noqa: F401 - connects the cadastre_changed listener

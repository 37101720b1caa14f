from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards and map")

    def ready(self) -> None:
        from common.context_processors import register_area
        from dashboards import panels, status  # noqa: F401  (register the built-in panels and providers)

        register_area(_("Map"), [(_("District map"), "dashboards:map", "sites.view_site")])

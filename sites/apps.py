from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Sites and bridge points")

    def ready(self) -> None:
        from common.scoping import register_unit_tree
        from sites.selectors import unit_descendant_ids

        register_unit_tree(unit_descendant_ids)

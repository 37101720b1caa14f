from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentsConfig(AppConfig):
    name = "investments"
    verbose_name = _("Investments")

    def ready(self) -> None:
        from common.context_processors import register_area
        from investments import panels  # noqa: F401  (registers the home panels and the site section)

        register_area(
            _("Investment plans"),
            [
                (_("Plans"), "investments:investmentplan_list", "investments.view_investmentplan"),
                (_("Line items"), "investments:planline_list", "investments.view_planline"),
                (_("Unit-price catalogue"), "investments:catalogueitem_list", "investments.view_catalogueitem"),
                (_("Standard kits"), "investments:standardkit_list", "investments.view_standardkit"),
            ],
        )

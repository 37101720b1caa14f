from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live briefings")

    def ready(self) -> None:
        from common.context_processors import register_area
        from live import panels  # noqa: F401  (registers the readiness panel and map status)

        register_area(_("Live briefings"), [(_("Live meetings"), "live:index", "live.view_videoroom")])

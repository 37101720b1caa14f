from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from common import tables, text
        from common.logcontext import request_context_clear

        text.install()
        tables.install()
        request_finished.connect(request_context_clear, dispatch_uid="common.logcontext.clear")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CamerasConfig(AppConfig):
    name = "cameras"
    verbose_name = _("Cameras")

    def ready(self) -> None:
        from cameras import panels  # noqa: F401  (home panel, map status, site section)
        from common.context_processors import register_area

        register_area(
            _("Cameras"),
            [
                (_("Camera dashboard"), "cameras:dashboard", "cameras.view_camera"),
                (_("Cameras"), "cameras:camera_list", "cameras.view_camera"),
                (_("Recorders"), "cameras:recorder_list", "cameras.view_recorder"),
                (_("Alerts"), "cameras:alert_list", "cameras.view_cameraalert"),
                (_("Coverage of key sites"), "cameras:coverage", "cameras.view_coveragetemplate"),
            ],
        )

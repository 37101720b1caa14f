"""django-tables2 tables for the camera and recorder lists."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera, Recorder
from common.templatetags.portal import badge


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"


class CameraTable(BaseTable):
    code = tables.Column(linkify=True)
    site = tables.Column(linkify=True, order_by=("site__name",))
    recorder = tables.Column(linkify=True, order_by=("recorder__name",))
    status = tables.Column()
    health = tables.Column()

    class Meta(BaseTable.Meta):
        model = Camera
        fields = (
            "code",
            "name",
            "site",
            "floor",
            "placement",
            "camera_type",
            "recorder",
            "status",
            "health",
            "last_seen_at",
        )

    def render_status(self, record: Camera) -> str:
        colour = {"in_service": "working", "faulty": "faulty", "removed": "retired"}[record.status]
        return badge(colour, record.get_status_display())

    def render_health(self, record: Camera) -> str:
        if record.maintenance:
            return badge("degraded", _("Maintenance"))
        return badge(record.health, record.get_health_display())


class RecorderTable(BaseTable):
    name = tables.Column(linkify=True)
    site = tables.Column(linkify=True, order_by=("site__name",))
    camera_count = tables.Column(verbose_name=_("Cameras"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = Recorder
        fields = ("code", "name", "kind", "site", "operator", "channels", "storage_days", "camera_count")

    def render_camera_count(self, record: Recorder) -> int:
        return getattr(record, "camera_count", 0)

"""Tables for the briefing list pages."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.templatetags.portal import badge
from meetings.models import DistrictOffice, Meeting, MinutesTask, Proposal, TextBlock


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"


class MeetingTable(BaseTable):
    title = tables.Column(linkify=True)
    starts_at = tables.DateTimeColumn(format="d/m/Y H:i")
    host_bridge_point = tables.Column(verbose_name=_("Host"), order_by=("host_bridge_point__janus_display",))
    invitation_count = tables.Column(verbose_name=_("Invited sites"), orderable=False, empty_values=())
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Meeting
        fields = ("starts_at", "title", "chair", "host_bridge_point", "invitation_count", "status")

    def render_invitation_count(self, record: Meeting) -> int:
        return getattr(record, "invitation_count", 0)

    def render_status(self, record: Meeting) -> str:
        return badge(record.status, record.get_status_display())


class TaskTable(BaseTable):
    title = tables.Column(linkify=True)
    unit = tables.Column(order_by=("unit__name",))
    meeting = tables.Column(linkify=True, order_by=("meeting__starts_at",))
    due_on = tables.DateColumn(format="d/m/Y")
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = MinutesTask
        fields = ("due_on", "unit", "title", "meeting", "status")

    def render_status(self, record: MinutesTask) -> str:
        if record.is_overdue:
            return badge("overdue", _("Overdue"))
        return badge("approved" if record.status == "done" else "pending", record.get_status_display())


class ProposalTable(BaseTable):
    text = tables.Column(linkify=True, verbose_name=_("Proposal"))
    unit = tables.Column(order_by=("unit__name",))
    office = tables.Column(order_by=("office__short_name",))
    meeting = tables.Column(linkify=True, order_by=("meeting__starts_at",))
    due_on = tables.DateColumn(format="d/m/Y")
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Proposal
        fields = ("due_on", "unit", "text", "office", "meeting", "status")

    def render_text(self, record: Proposal) -> str:
        return str(record)

    def render_status(self, record: Proposal) -> str:
        if record.is_overdue:
            return badge("overdue", _("Overdue"))
        return badge("approved" if record.status == "answered" else "pending", record.get_status_display())


class DistrictOfficeTable(BaseTable):
    short_name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = DistrictOffice
        fields = ("short_name", "name", "district", "is_active")


class TextBlockTable(BaseTable):
    title = tables.Column(linkify=True)
    body = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = TextBlock
        fields = ("title", "body", "is_active")

    def render_body(self, value: str) -> str:
        return format_html("<span class='text-muted small'>{}</span>", value[:120])

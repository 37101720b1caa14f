"""Forms for briefings. They validate input; the views hand the cleaned data to the services."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.scoping import scope_queryset
from common.views import ScopedModelForm
from meetings.models import (
    AgendaItem,
    DistrictOffice,
    Meeting,
    Minutes,
    MinutesTask,
    Proposal,
    RollCall,
    TextBlock,
)
from meetings.selectors.briefings import InviteGroup
from meetings.services import briefings as services
from sites.choices import BridgePointRole
from sites.models import AdministrativeUnit, BridgePoint

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# A proposal's answer is due this many days after it is recorded unless the recorder says otherwise.
PROPOSAL_ANSWER_DAYS = 15


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _options_from(field: forms.ModelChoiceField, objects: list[Any]) -> None:
    """
    Render `field`'s options from rows already loaded (the meeting page prefetches its agenda) instead
    of a query of their own; what is posted is still checked against the field's queryset.
    """
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = [*empty, *((obj.pk, field.label_from_instance(obj)) for obj in objects)]


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class MeetingForm(ScopedModelForm):
    """A briefing: who chairs, from where, when, and which sites are invited (by group or one by one)."""

    invite_group = forms.ChoiceField(
        label=_("Invite a group"),
        choices=[("", "—"), *InviteGroup.CHOICES],
        required=False,
        help_text=_("All communes in one click, or the mountain, coastal or island ones."),
    )
    invited = forms.ModelMultipleChoiceField(
        label=_("Invite bridge points"),
        queryset=BridgePoint.objects.filter(is_active=True, role="participant").select_related("room__site"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Meeting
        fields = ("title", "chair", "host_bridge_point", "starts_at", "ends_at", "record")
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The host bridge points first (the hall a briefing is chaired from), the one used last preselected:
        # a new briefing is almost always chaired from where the last one was.
        hosts = BridgePoint.objects.filter(is_active=True)
        self.fields["host_bridge_point"].queryset = hosts.order_by(
            Case(When(role=BridgePointRole.HOST, then=0), default=1), "janus_display"
        )
        if not self.instance.pk and not self.initial.get("host_bridge_point"):
            last = Meeting.objects.order_by("-created_at").values_list("host_bridge_point", flat=True).first()
            self.initial["host_bridge_point"] = last or hosts.filter(role=BridgePointRole.HOST).order_by("pk").first()
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT]
        self.fields["record"].widget.attrs["class"] = "form-check-input"
        if self.instance.pk:
            self.fields["host_bridge_point"].disabled = True
            del self.fields["invite_group"], self.fields["invited"]
        else:
            self.fields["invited"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A meeting must end after it starts."))
        return data

    def save_with_services(self) -> Meeting:
        data = self.cleaned_data
        if self.instance.pk:
            fields = {k: data[k] for k in ("title", "chair", "starts_at", "ends_at", "record")}
            return services.meeting_update(meeting=self.instance, **fields)
        from meetings.selectors.briefings import bridge_points_for_group

        invited = list(data.get("invited") or [])
        if data.get("invite_group"):
            invited += list(bridge_points_for_group(group=data["invite_group"]))
        return services.meeting_create(
            user=self.user,
            title=data["title"],
            chair=data["chair"],
            host_bridge_point=data["host_bridge_point"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            invited=invited,
            record=data.get("record", True),
        )


class InviteForm(forms.Form):
    group = forms.ChoiceField(label=_("Invite a group"), choices=[("", "—"), *InviteGroup.CHOICES], required=False)
    bridge_points = forms.ModelMultipleChoiceField(
        label=_("Bridge points"),
        queryset=BridgePoint.objects.filter(is_active=True, role="participant"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("group") and not data.get("bridge_points"):
            raise forms.ValidationError(_("Name bridge points or a group."))
        return data


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    """
    The meeting's agenda items in the agenda's order, each item followed by its sub-items (from the
    prefetched ones when the page prefetched them).
    """
    items = sorted(meeting.agenda_items.all(), key=lambda item: (item.position, item.pk))
    children = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    return [row for top in children[None] for row in (top, *children[top.pk])]


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ("title", "presenter", "duration_minutes", "parent", "position")

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        parents = meeting.agenda_items.filter(parent=None)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        _options_from(
            self.fields["parent"],
            [item for item in _agenda(meeting) if item.parent_id is None and item.pk != self.instance.pk],
        )
        self.fields["position"].required = False
        _bootstrap(self)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, DOCX, XLSX, PNG or JPEG; the content is checked, not only the name.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"


class DelegationForm(forms.Form):
    expected_headcount = forms.IntegerField(label=_("Expected headcount"), min_value=0, max_value=500)
    members = forms.CharField(
        label=_("Delegation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("One person per line: name, then a comma and the position."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_members(self) -> list[services.MemberData]:
        members = []
        for line in self.cleaned_data["members"].splitlines():
            name, _sep, position = line.partition(",")
            if name.strip():
                members.append(services.MemberData(name.strip()[:120], position.strip()[:200]))
        return members

    @staticmethod
    def initial_members(invitation: Any) -> str:
        return "\n".join(f"{m.name}, {m.position}" if m.position else m.name for m in invitation.members.all())


class RollCallRowForm(forms.Form):
    """One site's line on the roll call page (the prefix is the bridge point's id)."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *RollCall.Status.choices], required=False)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=0, max_value=500, required=False)
    names = forms.CharField(label=_("Names"), widget=forms.Textarea(attrs={"rows": 1}), required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    # A late site's arrival (local time on the meeting's day); without it, the time of the roll call.
    arrived_at = forms.TimeField(
        label=_("Arrived at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-control-sm" if "form-control" in field.widget.attrs["class"] else ""


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Minutes
        fields = (
            "number",
            "governing_body",
            "issuing_body",
            "place",
            "title",
            "body",
            "chair",
            "secretary",
            "recipients",
        )
        widgets = {"body": forms.Textarea(attrs={"rows": 24}), "recipients": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class TaskForm(forms.ModelForm):
    class Meta:
        model = MinutesTask
        fields = ("unit", "title", "due_on")
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_ids = meeting.invitations.values("bridge_point__room__site__unit_id")
        self.fields["unit"].queryset = AdministrativeUnit.objects.filter(pk__in=unit_ids)
        _bootstrap(self)


class TaskCompleteForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class TextBlockForm(ScopedModelForm):
    class Meta:
        model = TextBlock
        fields = ("title", "body", "is_active")


class ProposalForm(forms.ModelForm):
    """Record a commune's proposal at a meeting: a commune officer picks among its own communes only."""

    class Meta:
        model = Proposal
        fields = ("unit", "agenda_item", "text", "office", "due_on")
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, meeting: Meeting, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_ids = meeting.invitations.values("bridge_point__room__site__unit_id")
        self.fields["unit"].queryset = scope_queryset(AdministrativeUnit.objects.filter(pk__in=unit_ids), user)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        _options_from(self.fields["agenda_item"], _agenda(meeting))
        self.fields["office"].queryset = DistrictOffice.objects.filter(is_active=True).order_by("short_name")
        if not self.is_bound:
            self.initial.setdefault("due_on", timezone.localdate() + timedelta(days=PROPOSAL_ANSWER_DAYS))
        _bootstrap(self)


class ProposalAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class DistrictOfficeForm(ScopedModelForm):
    class Meta:
        model = DistrictOffice
        fields = ("district", "short_name", "name", "members", "is_active")

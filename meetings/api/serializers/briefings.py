"""Serializers for briefings. Writes go through services; these only shape and validate input."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from common.api import ScopedSerializerMixin
from meetings.models import (
    AgendaItem,
    AttendanceInterval,
    DelegationMember,
    Meeting,
    MeetingDocument,
    MeetingInvitation,
    Minutes,
    MinutesTask,
    Proposal,
    RollCall,
    TextBlock,
)
from meetings.selectors.briefings import InviteGroup, delegation_deadline, delegation_state
from sites.models import BridgePoint


class MeetingSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    invited = serializers.PrimaryKeyRelatedField(
        queryset=BridgePoint.objects.filter(is_active=True),
        many=True,
        required=False,
        write_only=True,
        help_text=_("Bridge points to invite."),
    )
    invite_group = serializers.ChoiceField(
        choices=InviteGroup.CHOICES, required=False, write_only=True, help_text=_("Invite a whole group at once.")
    )
    invitation_count = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "id",
            "title",
            "chair",
            "host_bridge_point",
            "starts_at",
            "ends_at",
            "status",
            "organiser",
            "booking",
            "invited",
            "invite_group",
            "invitation_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("status", "organiser", "booking")

    def get_invitation_count(self, meeting: Meeting) -> int:
        return meeting.invitations.count()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts_at = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": _("A meeting must end after it starts.")})
        host = attrs.get("host_bridge_point")
        if self.instance is not None and host is not None and host != self.instance.host_bridge_point:
            raise serializers.ValidationError({"host_bridge_point": _("The host of a meeting cannot change.")})
        return attrs


class InviteSerializer(ScopedSerializerMixin, serializers.Serializer):
    bridge_points = serializers.PrimaryKeyRelatedField(
        queryset=BridgePoint.objects.filter(is_active=True), many=True, required=False
    )
    invite_group = serializers.ChoiceField(choices=InviteGroup.CHOICES, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("bridge_points") and not attrs.get("invite_group"):
            raise serializers.ValidationError(_("Name bridge points or a group."))
        return attrs


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ("id", "meeting", "parent", "position", "title", "presenter", "duration_minutes")
        extra_kwargs = {"position": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        meeting = attrs.get("meeting", getattr(self.instance, "meeting", None))
        parent = attrs.get("parent")
        if parent is not None and meeting is not None and parent.meeting_id != meeting.pk:
            raise serializers.ValidationError({"parent": _("The parent item belongs to another meeting.")})
        return attrs


@extend_schema_serializer(component_name="MeetingAgendaRow")  # live.api has its own AgendaRow
class AgendaRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    number = serializers.CharField()
    depth = serializers.IntegerField()
    title = serializers.CharField(source="item.title")
    presenter = serializers.CharField(source="item.presenter")
    minutes = serializers.IntegerField(help_text="The whole span: own minutes plus the children's.")
    own_minutes = serializers.IntegerField(help_text="The item's own time; a parent's introduction.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class MeetingDocumentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)

    class Meta:
        model = MeetingDocument
        fields = ("id", "meeting", "title", "file", "original_name", "kind", "size_bytes", "uploaded_by", "created_at")
        read_only_fields = ("original_name", "kind", "size_bytes", "uploaded_by")
        extra_kwargs = {"title": {"required": False}}


class DelegationMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = DelegationMember
        fields = ("name", "position")


class InvitationSerializer(serializers.ModelSerializer):
    """An invited site and its delegation; PUT/PATCH replaces the delegation (before the start only)."""

    members = DelegationMemberSerializer(many=True, required=False)
    bridge_point_name = serializers.CharField(source="bridge_point.janus_display", read_only=True)
    unit = serializers.CharField(source="bridge_point.room.site.unit.name", read_only=True)
    state = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = MeetingInvitation
        fields = (
            "id",
            "meeting",
            "bridge_point",
            "bridge_point_name",
            "unit",
            "expected_headcount",
            "members",
            "confirmed_at",
            "confirmed_by",
            "state",
            "deadline",
        )
        read_only_fields = ("meeting", "bridge_point", "confirmed_at", "confirmed_by")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """An invitation stays with its meeting and bridge point: changing them is a 400, not ignored."""
        if self.instance is not None and isinstance(self.initial_data, dict):
            errors = {}
            for name in ("meeting", "bridge_point"):
                if name in self.initial_data and str(self.initial_data[name]) != str(
                    getattr(self.instance, f"{name}_id")
                ):
                    errors[name] = [_("An invitation cannot be moved; invite the other site instead.")]
            if errors:
                raise serializers.ValidationError(errors)
        return attrs

    def get_state(self, invitation: MeetingInvitation) -> str:
        return delegation_state(invitation=invitation)

    def get_deadline(self, invitation: MeetingInvitation) -> str:
        return serializers.DateTimeField().to_representation(delegation_deadline(meeting=invitation.meeting))


class RollCallSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    arrived_at = serializers.DateTimeField(write_only=True, required=False, allow_null=True)

    class Meta:
        model = RollCall
        fields = (
            "id",
            "meeting",
            "bridge_point",
            "status",
            "headcount",
            "names",
            "note",
            "arrived_at",
            "recorded_by",
            "updated_at",
        )
        read_only_fields = ("recorded_by",)
        # Recording again for the same site corrects it (the service upserts).
        validators: list = []


class AttendanceIntervalSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceInterval
        fields = ("source", "joined_at", "left_at", "note")


class AttendanceRowSerializer(serializers.Serializer):
    invitation = serializers.IntegerField(source="invitation.pk")
    bridge_point = serializers.IntegerField(source="invitation.bridge_point_id")
    bridge_point_name = serializers.CharField(source="invitation.bridge_point.janus_display")
    delegation_state = serializers.CharField(source="state")
    expected_headcount = serializers.IntegerField(source="invitation.expected_headcount")
    roll_call = RollCallSerializer(allow_null=True)
    intervals = AttendanceIntervalSerializer(many=True)
    media_minutes = serializers.IntegerField(help_text="Connected minutes, a started minute counting whole.")
    media_seconds = serializers.IntegerField()
    attended = serializers.BooleanField()


class MinutesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Minutes
        fields = (
            "id",
            "meeting",
            "version",
            "previous",
            "amendment_reason",
            "status",
            "governing_body",
            "issuing_body",
            "number",
            "place",
            "title",
            "body",
            "secretary",
            "chair",
            "recipients",
            "drafted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "version",
            "previous",
            "amendment_reason",
            "status",
            "drafted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
        )
        extra_kwargs = {
            f: {"required": False} for f in ("governing_body", "issuing_body", "place", "title", "body", "chair")
        }


class MinutesCreateSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all())


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TextBlockSerializer(serializers.ModelSerializer):
    class Meta:
        model = TextBlock
        fields = ("id", "title", "body", "is_active", "updated_at")


class MinutesTaskSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = MinutesTask
        fields = (
            "id",
            "meeting",
            "unit",
            "unit_name",
            "title",
            "due_on",
            "status",
            "is_overdue",
            "completed_at",
            "completed_by",
            "completion_note",
            "created_by",
        )
        read_only_fields = ("status", "completed_at", "completed_by", "completion_note", "created_by")


class TaskCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ProposalSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    office_name = serializers.CharField(source="office.short_name", read_only=True)

    class Meta:
        model = Proposal
        fields = (
            "id",
            "meeting",
            "unit",
            "unit_name",
            "bridge_point",
            "agenda_item",
            "floor_turn",
            "meeting_offset_seconds",
            "text",
            "office",
            "office_name",
            "due_on",
            "status",
            "is_overdue",
            "answer",
            "answered_at",
            "answered_by",
            "created_by",
        )
        read_only_fields = ("status", "answer", "answered_at", "answered_by", "created_by")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        # A commune records at meetings hosted by the district: the view checks that the user sees it.
        fields["meeting"].queryset = Meeting.objects.all()
        return fields


class ProposalAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000)

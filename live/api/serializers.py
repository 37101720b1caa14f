"""Shapes of the live API, for validation and the OpenAPI schema."""

from rest_framework import serializers


class MeetingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    room_status = serializers.CharField(allow_null=True)


class ParticipantRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Participant row id (or i<invitation id> before the room exists).")
    bridge_point_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    display = serializers.CharField()
    invited = serializers.BooleanField()
    host = serializers.BooleanField()
    state = serializers.ChoiceField(choices=["not_connected", "connecting", "connected", "publishing"])
    audio_muted = serializers.BooleanField()
    talking = serializers.BooleanField()
    bitrate_kbps = serializers.IntegerField()
    loss_pct = serializers.FloatField()
    quality = serializers.CharField()
    changed_at = serializers.DateTimeField(allow_null=True)


class SnapshotSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    meeting = MeetingRowSerializer()
    participants = ParticipantRowSerializer(many=True)


class MuteInputSerializer(serializers.Serializer):
    mute = serializers.BooleanField(default=True)


class JoinConfigSerializer(serializers.Serializer):
    server = serializers.CharField()
    room = serializers.IntegerField()
    pin = serializers.CharField()
    token = serializers.CharField(help_text="This bridge point's own token: Janus session and room allowed list.")
    id = serializers.IntegerField(help_text="The participant id to join with.")
    display = serializers.CharField()
    bitrate = serializers.IntegerField()


class ReadinessInputSerializer(serializers.Serializer):
    camera_ok = serializers.BooleanField(required=False)
    microphone_ok = serializers.BooleanField(required=False)
    display_ok = serializers.BooleanField(required=False)
    link_ok = serializers.BooleanField(required=False)


class ReadinessOutputSerializer(ReadinessInputSerializer):
    colour = serializers.ChoiceField(choices=["green", "amber", "red"])

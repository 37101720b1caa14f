"""Shapes of the live API, for validation and the OpenAPI schema."""

from rest_framework import serializers


class MeetingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    room_status = serializers.CharField(allow_null=True)
    recording = serializers.BooleanField(help_text="Being recorded now (live and recording on).")
    record = serializers.BooleanField(help_text="To be recorded: the host's choice, made before the start.")


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
    feed = serializers.IntegerField(allow_null=True, help_text="The site's Janus feed id (its camera and microphone).")
    share_feed = serializers.IntegerField(allow_null=True, help_text="The Janus feed id of the site's shared screen.")
    sharing = serializers.BooleanField()


class TurnRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bridge_point_id = serializers.IntegerField()
    name = serializers.CharField()
    requested_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    agenda = serializers.CharField(help_text="The agenda item being discussed when the site asked, numbered.")


class AgendaRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    depth = serializers.IntegerField()


class AlertRowSerializer(serializers.Serializer):
    target = serializers.CharField()
    at = serializers.DateTimeField()


class RoomStateSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["moderated", "open"])
    share_by_floor = serializers.BooleanField()
    floor = TurnRowSerializer(allow_null=True)
    requests = TurnRowSerializer(many=True)
    agenda = AgendaRowSerializer(many=True)
    agenda_current = serializers.IntegerField(allow_null=True)
    alerts = AlertRowSerializer(many=True)
    server_id = serializers.IntegerField(
        allow_null=True, help_text="The media server the room is on; a room page that sees it change rejoins."
    )
    moves = AlertRowSerializer(many=True, help_text="Recent moves to another media server (target: its name).")


class SnapshotSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    meeting = MeetingRowSerializer()
    participants = ParticipantRowSerializer(many=True)
    room = RoomStateSerializer()


class MuteInputSerializer(serializers.Serializer):
    mute = serializers.BooleanField(default=True)


class IceServerSerializer(serializers.Serializer):
    urls = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(help_text="'<expiry unix time>:<site>' (TURN REST scheme).")
    credential = serializers.CharField(help_text="base64(HMAC-SHA1(TURN secret, username)).")


class JoinConfigSerializer(serializers.Serializer):
    server = serializers.CharField()
    server_id = serializers.IntegerField(help_text="The media server's id (room state `server_id`).")
    room = serializers.IntegerField()
    pin = serializers.CharField()
    token = serializers.CharField(help_text="This bridge point's own token: Janus session and room allowed list.")
    id = serializers.IntegerField(help_text="The participant id to join with.")
    display = serializers.CharField()
    bitrate = serializers.IntegerField()
    share_id = serializers.IntegerField(help_text="The participant id of this site's screen share.")
    layer = serializers.IntegerField(help_text="Simulcast layer (0 low … 2 high) that fits the site's link.")
    role = serializers.ChoiceField(choices=["host", "site"])
    bridge_point_id = serializers.IntegerField()
    ice_servers = IceServerSerializer(
        many=True, help_text="TURN servers with time-limited credentials (empty when none is configured)."
    )


class SessionClaimSerializer(serializers.Serializer):
    session_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class FloorGiveSerializer(serializers.Serializer):
    bridge_point_id = serializers.IntegerField(min_value=1)


class FloorDeclineSerializer(serializers.Serializer):
    turn_id = serializers.IntegerField(min_value=1)


class FloorModeSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["moderated", "open"])
    share_by_floor = serializers.BooleanField(required=False)


class AgendaSetSerializer(serializers.Serializer):
    item_id = serializers.IntegerField(min_value=1, allow_null=True)


class ReadinessInputSerializer(serializers.Serializer):
    camera_ok = serializers.BooleanField(required=False)
    microphone_ok = serializers.BooleanField(required=False)
    display_ok = serializers.BooleanField(required=False)
    link_ok = serializers.BooleanField(required=False)


class ReadinessOutputSerializer(ReadinessInputSerializer):
    colour = serializers.ChoiceField(choices=["green", "amber", "red"])


class GoneSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()

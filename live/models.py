"""
Live state of online briefings: the media servers (Janus), the video room of each meeting, what each
participant is doing in it, the readiness of each invited bridge point, and an audit of the host's
actions. The `meetings` app owns the meeting itself; everything here hangs off it one-to-one or by
invitation so that the two apps evolve independently.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import ChoiceLabelsMixin, TimeStampedModel
from common.scoping import ScopedQuerySet


class MediaServer(TimeStampedModel):
    """
    A Janus server (máy chủ truyền thông) that hosts video rooms. Secrets are not stored: each row names
    the environment variables that hold them, so they never reach the database, a page or a log.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    server_name = models.CharField(
        _("Janus server name"),
        max_length=100,
        unique=True,
        help_text=_("The server_name in janus.jcfg; Janus events carry it as their emitter."),
    )
    api_url = models.URLField(_("API URL"), help_text=_("e.g. http://127.0.0.1:8088/janus"))
    admin_url = models.URLField(_("admin API URL"), blank=True)
    public_url = models.CharField(
        _("URL for browsers"),
        max_length=200,
        blank=True,
        help_text=_("The Janus API address as the bridge points' browsers reach it; empty = the API URL."),
    )
    api_secret_env = models.CharField(_("API secret variable"), max_length=64, default="JANUS_API_SECRET")
    admin_secret_env = models.CharField(_("admin secret variable"), max_length=64, default="JANUS_ADMIN_SECRET")
    admin_key_env = models.CharField(
        _("videoroom admin key variable"), max_length=64, default="JANUS_VIDEOROOM_ADMIN_KEY"
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    max_rooms = models.PositiveIntegerField(_("room limit"), default=200)
    is_healthy = models.BooleanField(_("healthy"), default=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last (re)start seen"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    # Health probes that failed in a row; at LIVE_FAILOVER_PROBES the server's live rooms move elsewhere.
    failed_probes = models.PositiveIntegerField(_("failed probes in a row"), default=0)

    class Meta:
        ordering = ("name",)
        verbose_name = _("media server")
        verbose_name_plural = _("media servers")

    def __str__(self) -> str:
        return self.name

    def secret(self, kind: str) -> str:
        """The secret named by `<kind>_env` (api_secret, admin_secret, admin_key), from the environment."""
        variable = getattr(self, f"{kind}_env")
        return os.environ.get(variable, "") or str(getattr(settings, variable, "") or "")

    @property
    def browser_url(self) -> str:
        return self.public_url or self.api_url


class FloorMode(models.TextChoices):
    MODERATED = "moderated", _("Moderated: only the chair and the floor holder are heard")
    OPEN = "open", _("Open: every site is heard")


class VideoRoom(TimeStampedModel):
    """
    The Janus VideoRoom (phòng họp trực tuyến) of one meeting. The room secret is not stored: it is
    derived from the portal's SECRET_KEY and the room id (see `live.services.room_secret`), so the
    portal can always destroy its own rooms, even ones whose row was lost.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being created")
        ACTIVE = "active", _("Active")
        FAILED = "failed", _("Failed")
        CLOSED = "closed", _("Closed")

    meeting = models.OneToOneField(
        "meetings.Meeting", verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="video_room"
    )
    server = models.ForeignKey(
        MediaServer, verbose_name=_("media server"), on_delete=models.PROTECT, related_name="rooms"
    )
    room_id = models.PositiveBigIntegerField(_("Janus room id"), unique=True)
    pin = models.CharField(_("PIN"), max_length=16)
    bitrate = models.PositiveIntegerField(_("bitrate cap (bit/s)"), default=0)
    publishers = models.PositiveIntegerField(_("publisher limit"), default=20)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    provisioned_at = models.DateTimeField(_("created in Janus"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    # Number of the last delta broadcast for this room; the board detects gaps with it.
    seq = models.PositiveBigIntegerField(default=0)
    # How the briefing runs (b18): moderated = only the chair and the floor holder are heard (the others
    # are muted in Janus); open = everyone is heard.
    floor_mode = models.CharField(_("floor"), max_length=16, choices=FloorMode, default=FloorMode.MODERATED)
    share_by_floor = models.BooleanField(_("the floor holder may share a screen"), default=False)
    current_agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("current agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "meeting__host_bridge_point__room__site__unit"

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("video room")
        verbose_name_plural = _("video rooms")
        permissions = [
            ("operate_room", _("Can start, moderate and end a live meeting")),
            ("join_room", _("Can join a meeting from a bridge point")),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.room_id}"

    def get_absolute_url(self) -> str:
        return reverse("live:board", args=[self.meeting_id])


class ParticipantState(ChoiceLabelsMixin, models.Model):
    """
    What one participant is doing in a video room. Each invited bridge point has a row from the start
    (with its join token); a participant Janus reports that matches no invitation gets a row with no
    invitation, and the board flags it.
    """

    class State(models.TextChoices):
        NOT_CONNECTED = "not_connected", _("Not connected")
        CONNECTING = "connecting", _("Connecting")
        CONNECTED = "connected", _("Connected")
        PUBLISHING = "publishing", _("Publishing")

    video_room = models.ForeignKey(VideoRoom, on_delete=models.CASCADE, related_name="participants")
    invitation = models.OneToOneField(
        "meetings.MeetingInvitation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participant_state",
    )
    bridge_point = models.ForeignKey(
        "sites.BridgePoint", on_delete=models.PROTECT, null=True, blank=True, related_name="participant_states"
    )
    join_token = models.CharField(_("join token"), max_length=64, blank=True)
    # The participant id the join page asks Janus for; events and listparticipants report it back.
    janus_id = models.PositiveBigIntegerField(_("participant id"), null=True, blank=True)
    # The id of the site's second publisher, its shared screen or window (b19).
    share_janus_id = models.PositiveBigIntegerField(_("screen share id"), null=True, blank=True)
    sharing = models.BooleanField(_("sharing a screen"), default=False)
    # The Janus session the site's room page said it opened (before joining): a `joined` with this
    # row's id from any other session is an impostor and is kicked (b20).
    claimed_session_id = models.PositiveBigIntegerField(null=True, blank=True)
    session_id = models.PositiveBigIntegerField(null=True, blank=True)
    handle_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    display = models.CharField(_("display name"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.NOT_CONNECTED)
    audio_mid = models.CharField(max_length=8, default="0")
    audio_muted = models.BooleanField(_("audio muted"), default=False)
    talking = models.BooleanField(_("talking"), default=False)
    media_received = models.BooleanField(_("media received"), default=False)
    bitrate_kbps = models.PositiveIntegerField(_("bitrate (kbit/s)"), default=0)
    loss_pct = models.FloatField(_("packet loss (%)"), default=0)
    # Last cumulative counters per mid, to turn Janus's totals into a per-second loss rate.
    counters = models.JSONField(default=dict, blank=True)
    changed_at = models.DateTimeField(_("last change"), null=True, blank=True)
    # The last moment Janus saw media from this site (packets in its stats, media starting): where its
    # attendance interval ends when the end is only noticed later (a lost leave, a hangup, a restart).
    media_seen_at = models.DateTimeField(_("media last seen"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "video_room__meeting__host_bridge_point__room__site__unit"

    class Meta:
        ordering = ("video_room", "display")
        verbose_name = _("participant state")
        verbose_name_plural = _("participant states")
        constraints = [
            models.UniqueConstraint(
                fields=("video_room", "janus_id"),
                condition=Q(janus_id__isnull=False),
                name="%(app_label)s_%(class)s_unique_janus_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display} ({self.get_state_display()})"

    @property
    def is_invited(self) -> bool:
        return self.invitation_id is not None

    @property
    def in_room(self) -> bool:
        return self.state != self.State.NOT_CONNECTED


class ReadinessCheck(TimeStampedModel):
    """
    The technician's checklist (kiểm tra sẵn sàng) of one invited bridge point before a briefing, and
    what the test call showed: published audio and video, and media actually received by Janus.
    """

    invitation = models.OneToOneField("meetings.MeetingInvitation", on_delete=models.CASCADE, related_name="readiness")
    camera_ok = models.BooleanField(_("camera works"), default=False)
    microphone_ok = models.BooleanField(_("microphone works"), default=False)
    display_ok = models.BooleanField(_("display works"), default=False)
    link_ok = models.BooleanField(_("network link works"), default=False)
    test_call_at = models.DateTimeField(_("test call"), null=True, blank=True)
    test_call_published = models.BooleanField(_("test call published"), default=False)
    test_call_media_received = models.BooleanField(_("media received"), default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "invitation__bridge_point__room__site__unit"

    class Meta:
        verbose_name = _("readiness check")
        verbose_name_plural = _("readiness checks")

    def __str__(self) -> str:
        return str(self.invitation)

    @property
    def checklist_done(self) -> bool:
        return self.camera_ok and self.microphone_ok and self.display_ok and self.link_ok


class LiveAction(ChoiceLabelsMixin, models.Model):
    """Audit of what a person did to a live meeting: start, mute, unmute, drop, end."""

    class Action(models.TextChoices):
        START = "start", _("Started the meeting")
        MUTE = "mute", _("Muted a site")
        UNMUTE = "unmute", _("Unmuted a site")
        DROP = "drop", _("Dropped a site")
        END = "end", _("Ended the meeting")
        FLOOR_GIVE = "floor_give", _("Gave the floor")
        FLOOR_TAKE = "floor_take", _("Took the floor back")
        AGENDA = "agenda", _("Moved to an agenda item")
        FLOOR_MODE = "floor_mode", _("Changed how the floor runs")
        IMPOSTOR = "impostor", _("Refused a participant that was not who it claimed")
        FAILOVER = "failover", _("Moved to another media server")
        NO_RECORDING = "no_recording", _("Started without recording (low disk)")
        RECORDING_DELETED = "rec_deleted", _("Deleted an expired recording")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="live_actions")
    action = models.CharField(_("action"), max_length=16, choices=Action)
    bridge_point = models.ForeignKey(
        "sites.BridgePoint", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.CharField(_("target"), max_length=120, blank=True)
    # Empty for what the portal did by itself (an impostor refused).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "meeting__host_bridge_point__room__site__unit"

    class Meta:
        ordering = ("-at",)
        verbose_name = _("live action")
        verbose_name_plural = _("live actions")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target}"


class Recording(TimeStampedModel):
    """
    A file of a meeting's recording (b21), made after the meeting from Janus's raw streams: the
    programme (the chair's video with every site's audio, as the meeting sounded) or one site's own
    audio and video. `path` is relative to RECORDINGS_ROOT. A Janus restart mid-meeting leaves several
    segments: `segments` lists them in order, each with its start, its offset in the programme and its
    length, so the archive shows the gaps.
    """

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme")
        SITE = "site", _("Site")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be processed")
        PROCESSING = "processing", _("Being processed")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Deleted (retention)")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="recordings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    bridge_point = models.ForeignKey(
        "sites.BridgePoint",
        verbose_name=_("bridge point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recordings",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    error = models.TextField(_("error"), blank=True)
    path = models.CharField(_("file"), max_length=255, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), default=0)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    segments = models.JSONField(_("segments"), default=list, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    unit_scope_lookup = "meeting__host_bridge_point__room__site__unit"

    class Meta:
        ordering = ("meeting", "kind", "bridge_point")
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_kind_display()}"

    @property
    def file_path(self):
        return settings.RECORDINGS_ROOT / self.path if self.path else None

    @property
    def filename(self) -> str:
        return os.path.basename(self.path)

    @property
    def gaps(self) -> list[dict]:
        """The breaks between segments: where each starts in the programme and how long it lasted."""
        found = []
        for before, after in zip(self.segments, self.segments[1:], strict=False):
            gap = after["offset"] - (before["offset"] + before["duration"])
            if gap > 0.5:
                at = int(before["offset"] + before["duration"])
                clock = f"{at // 3600}:{at % 3600 // 60:02d}:{at % 60:02d}"
                found.append({"offset": before["offset"] + before["duration"], "seconds": gap, "clock": clock})
        return found

"""Reads for the live room board, the readiness board and the join page."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.scoping import user_scope_unit_ids
from live.constants import PROVISION_AHEAD, READINESS_WINDOW
from live.models import FloorMode, LiveAction, MediaServer, ParticipantState, ReadinessCheck, VideoRoom
from meetings.models import FloorTurn, Meeting, MeetingInvitation
from meetings.selectors.briefings import agenda_rows
from sites.models import BridgePoint

if TYPE_CHECKING:
    from accounts.models import User


def meeting_visible_to(*, user: User, meeting: Meeting) -> bool:
    """
    May `user` watch this meeting's live state? District users with the live view permission see all
    meetings; a user tied to a unit (a commune officer) sees a meeting only when a bridge point of
    their unit hosts it or is invited to it.
    """
    if not user.is_authenticated or not user.has_perm("live.view_videoroom"):
        return False
    if user.pk == meeting.organiser_id:
        return True
    unit_ids = user_scope_unit_ids(user)
    if unit_ids is None:
        return True
    if meeting.host_bridge_point.room.site.unit_id in unit_ids:
        return True
    return meeting.invitations.filter(bridge_point__room__site__unit_id__in=unit_ids).exists()


def meetings_visible_to(*, user: User) -> QuerySet[Meeting]:
    """Meetings `user` may watch (see `meeting_visible_to`), soonest first."""
    queryset = Meeting.objects.select_related("host_bridge_point").order_by("starts_at")
    if not user.has_perm("live.view_videoroom"):
        return queryset.none()
    unit_ids = user_scope_unit_ids(user)
    if unit_ids is None:
        return queryset
    return queryset.filter(
        Q(organiser=user)
        | Q(host_bridge_point__room__site__unit_id__in=unit_ids)
        | Q(invitations__bridge_point__room__site__unit_id__in=unit_ids)
    ).distinct()


def rooms_to_keep(**filters: Any) -> QuerySet[VideoRoom]:
    """Rooms that should exist in Janus: not closed, of live meetings or meetings starting soon."""
    horizon = timezone.now() + timedelta(seconds=PROVISION_AHEAD)
    return VideoRoom.objects.filter(
        Q(meeting__status=Meeting.Status.LIVE)
        | Q(meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__lte=horizon),
        status__in=[VideoRoom.Status.PENDING, VideoRoom.Status.ACTIVE, VideoRoom.Status.FAILED],
        **filters,
    )


def media_servers_usable() -> QuerySet[MediaServer]:
    """Servers a room may be placed on: enabled, and answering at the last check."""
    return MediaServer.objects.filter(is_enabled=True, is_healthy=True)


def media_servers_by_load() -> QuerySet[MediaServer]:
    """Usable servers, least loaded first, each with `load` (its pending and active rooms)."""
    return (
        media_servers_usable()
        .annotate(
            load=Count(
                "rooms",
                filter=Q(rooms__status__in=[VideoRoom.Status.PENDING, VideoRoom.Status.ACTIVE]),
            )
        )
        .order_by("load", "pk")
    )


def media_server_pick() -> MediaServer | None:
    """The least-loaded healthy server (pending and active rooms counted), or None."""
    return media_servers_by_load().first()


def link_quality(state: ParticipantState) -> str:
    """good / fair / poor from Janus's media statistics; empty while not publishing."""
    if state.state != ParticipantState.State.PUBLISHING:
        return ""
    if state.loss_pct >= 8 or (state.media_received and state.bitrate_kbps == 0):
        return "poor"
    if state.loss_pct >= 2:
        return "fair"
    return "good"


def participant_row(state: ParticipantState) -> dict[str, Any]:
    """One participant as the board shows it (no tokens, no Janus ids)."""
    return {
        "key": state.pk,
        "bridge_point_id": state.bridge_point_id,
        "name": state.bridge_point.janus_display if state.bridge_point_id else state.display,
        "display": state.display,
        "invited": state.bridge_point_id is not None,
        "host": state.bridge_point_id is not None and state.invitation_id is None,
        "state": state.state,
        "audio_muted": state.audio_muted,
        "talking": state.talking,
        "bitrate_kbps": state.bitrate_kbps,
        "loss_pct": round(state.loss_pct, 1),
        "quality": link_quality(state),
        "changed_at": state.changed_at.isoformat() if state.changed_at else None,
        # The Janus feed ids the room pages subscribe to (not secrets: Janus tells every participant).
        "feed": state.janus_id,
        "share_feed": state.share_janus_id,
        "sharing": state.sharing,
    }


def meeting_row(meeting: Meeting) -> dict[str, Any]:
    room = getattr(meeting, "video_room", None)
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "status": meeting.status,
        "room_status": room.status if room else None,
        "recording": meeting.record and meeting.status == Meeting.Status.LIVE,
        "record": meeting.record,
    }


def board_snapshot(*, meeting_id: int) -> dict[str, Any]:
    """The full live state of a meeting: what the board renders on connect and after a gap."""
    meeting = Meeting.objects.select_related("video_room").get(pk=meeting_id)
    room = getattr(meeting, "video_room", None)
    rows: list[dict[str, Any]] = []
    if room is not None:
        states = sorted(
            room.participants.select_related("bridge_point"),
            # The host first, then the invited sites by name, then anyone not invited.
            key=lambda s: (s.bridge_point_id is None, s.invitation_id is not None, s.display),
        )
        rows = [participant_row(s) for s in states]
    else:
        # Before the room exists every invited site is simply not connected.
        for invitation in meeting.invitations.select_related("bridge_point"):
            rows.append(
                {
                    "key": f"i{invitation.pk}",
                    "bridge_point_id": invitation.bridge_point_id,
                    "name": invitation.bridge_point.janus_display,
                    "display": "",
                    "invited": True,
                    "host": False,
                    "state": ParticipantState.State.NOT_CONNECTED,
                    "audio_muted": False,
                    "talking": False,
                    "bitrate_kbps": 0,
                    "loss_pct": 0,
                    "quality": "",
                    "changed_at": None,
                    "feed": None,
                    "share_feed": None,
                    "sharing": False,
                }
            )
    return {
        "seq": room.seq if room else 0,
        "meeting": meeting_row(meeting),
        "participants": rows,
        "room": room_state(room=room, meeting=meeting),
    }


def _turn_row(turn: FloorTurn, numbers: dict[int, str]) -> dict[str, Any]:
    item = turn.agenda_item
    return {
        "id": turn.pk,
        "bridge_point_id": turn.bridge_point_id,
        "name": turn.bridge_point.janus_display,
        "requested_at": turn.requested_at.isoformat() if turn.requested_at else None,
        "started_at": turn.started_at.isoformat() if turn.started_at else None,
        "agenda": f"{numbers.get(item.pk, '')}. {item.title}".lstrip(". ") if item else "",
    }


def room_state(*, room: VideoRoom | None, meeting: Meeting | None = None) -> dict[str, Any]:
    """
    What every room page shows besides the participants: how the floor runs, who has it, the requests
    waiting in order, the agenda (with the item on screen) and recent impostors refused. Four queries.
    """
    meeting = meeting or room.meeting
    agenda = agenda_rows(meeting=meeting)
    numbers = {row.item.pk: row.number for row in agenda}
    turns = list(
        FloorTurn.objects.filter(
            meeting=meeting, status__in=[FloorTurn.Status.REQUESTED, FloorTurn.Status.SPEAKING]
        ).select_related("bridge_point", "agenda_item")
    )
    holder = next((turn for turn in turns if turn.status == FloorTurn.Status.SPEAKING), None)
    waiting = sorted(
        (turn for turn in turns if turn.status == FloorTurn.Status.REQUESTED), key=lambda t: (t.requested_at, t.pk)
    )
    current = room.current_agenda_item_id if room else None
    # Impostors refused and moves to another media server, the latest few of each (one query).
    notices = (
        list(
            LiveAction.objects.filter(
                meeting=meeting, action__in=[LiveAction.Action.IMPOSTOR, LiveAction.Action.FAILOVER]
            )
            .order_by("-at")
            .values_list("action", "target", "at")[:20]
        )
        if room
        else []
    )
    alerts = [(target, at) for action, target, at in notices if action == LiveAction.Action.IMPOSTOR][:5]
    moves = [(target, at) for action, target, at in notices if action == LiveAction.Action.FAILOVER][:3]
    return {
        "mode": room.floor_mode if room else FloorMode.MODERATED,
        "share_by_floor": bool(room and room.share_by_floor),
        "floor": _turn_row(holder, numbers) if holder else None,
        "requests": [_turn_row(turn, numbers) for turn in waiting],
        "agenda": [
            {"id": row.item.pk, "number": row.number, "title": row.item.title, "depth": row.depth} for row in agenda
        ],
        "agenda_current": current,
        "alerts": [{"target": target, "at": at.isoformat()} for target, at in alerts],
        "server_id": room.server_id if room else None,
        "moves": [{"target": target, "at": at.isoformat()} for target, at in moves],
    }


def readiness_colour(*, check: ReadinessCheck | None, state: ParticipantState | None) -> str:
    """green: checklist done and a test call whose media Janus received; amber: partly; red: nothing."""
    published = bool(check and check.test_call_published) or bool(
        state and state.state == ParticipantState.State.PUBLISHING
    )
    received = bool(check and check.test_call_media_received) or bool(state and state.media_received)
    if check and check.checklist_done and published and received:
        return "green"
    if (check and (check.camera_ok or check.microphone_ok or check.display_ok or check.link_ok)) or published:
        return "amber"
    return "red"


def _host_tested(*, meeting: Meeting, bridge_point: BridgePoint) -> bool:
    """Did the bridge point make a test call from T-60 minutes before this meeting?"""
    since = meeting.starts_at - timedelta(seconds=READINESS_WINDOW)
    return bridge_point.last_test_at is not None and bridge_point.last_test_at >= since


def host_readiness_colour(*, meeting: Meeting, bridge_point: BridgePoint, state: ParticipantState | None) -> str:
    """
    The host's hall has no invitation, so no checklist: its readiness is its bridge point's last test
    call, counted from T-60 minutes (green when Janus received its media, amber when degraded or when it
    publishes now), red without one.
    """
    from sites.choices import TestCallResult

    tested = _host_tested(meeting=meeting, bridge_point=bridge_point)
    if tested and bridge_point.last_test_result == TestCallResult.OK:
        return "green"
    if tested or (state is not None and state.state == ParticipantState.State.PUBLISHING):
        return "amber"
    return "red"


def _local_time(value: Any) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def readiness_row_data(row: dict[str, Any]) -> dict[str, Any]:
    """A board row as the readiness page's script redraws it (no tokens, times already local)."""
    check, state = row["check"], row["state"]
    if row["host"]:
        from sites.choices import TestCallResult

        bridge_point = row["bridge_point"]
        tested = _host_tested(meeting=row["meeting"], bridge_point=bridge_point)
        test_call = _local_time(bridge_point.last_test_at) if tested else ""
        received = tested and bridge_point.last_test_result == TestCallResult.OK
    else:
        test_call = _local_time(check.test_call_at) if check and check.test_call_published else ""
        received = bool((check and check.test_call_media_received) or (state and state.media_received))
    return {
        "bridge_point_id": row["bridge_point"].pk,
        "host": row["host"],
        "colour": row["colour"],
        "camera_ok": bool(check and check.camera_ok),
        "microphone_ok": bool(check and check.microphone_ok),
        "display_ok": bool(check and check.display_ok),
        "link_ok": bool(check and check.link_ok),
        "test_call": test_call,
        "media_received": received,
    }


def readiness_board(*, meeting: Meeting, bridge_point_ids: Any = None) -> list[dict[str, Any]]:
    """
    The readiness of the host's hall (first: its last test call, see `host_readiness_colour`) and of each
    invited site (checklist and test call), for the organiser's board. Three queries; `bridge_point_ids`
    limits the rows (a push of one changed row).
    """
    rows: list[dict[str, Any]] = []
    wanted = set(bridge_point_ids) if bridge_point_ids is not None else None
    if wanted is None or meeting.host_bridge_point_id in wanted:
        host = BridgePoint.objects.get(pk=meeting.host_bridge_point_id)
        state = (
            ParticipantState.objects.filter(
                video_room__meeting=meeting, bridge_point_id=host.pk, invitation__isnull=True
            )
            .exclude(video_room__status=VideoRoom.Status.CLOSED)
            .first()
        )
        colour = host_readiness_colour(meeting=meeting, bridge_point=host, state=state)
        rows.append(
            {
                "invitation": None,
                "bridge_point": host,
                "check": None,
                "state": state,
                "colour": colour,
                "host": True,
                "meeting": meeting,
            }
        )
    invitations = meeting.invitations.order_by("bridge_point__janus_display")
    if wanted is not None:
        invitations = invitations.filter(bridge_point_id__in=wanted)
    rows.extend(
        {
            "invitation": invitation,
            "bridge_point": invitation.bridge_point,
            "check": getattr(invitation, "readiness", None),
            "state": getattr(invitation, "participant_state", None),
            "colour": colour,
            "host": False,
        }
        for invitation, colour in readiness_of_invitations(invitations)
    )
    for row in rows:
        row["data"] = readiness_row_data(row)
    return rows


def readiness_of_invitations(invitations: QuerySet[MeetingInvitation]) -> list[tuple[MeetingInvitation, str]]:
    """Each invitation with its readiness colour, in one query for any number of meetings and sites."""
    rows = invitations.select_related("meeting", "bridge_point", "readiness", "participant_state")
    return [
        (
            inv,
            readiness_colour(check=getattr(inv, "readiness", None), state=getattr(inv, "participant_state", None)),
        )
        for inv in rows
    ]


def readiness_window_open(*, meeting: Meeting) -> bool:
    """Readiness is tracked from T-60 minutes until the meeting ends."""
    return meeting.starts_at - timedelta(seconds=READINESS_WINDOW) <= timezone.now() <= meeting.ends_at


def may_join_from(*, user: User, meeting: Meeting, bridge_point_id: int) -> bool:
    """
    A bridge point's join page (its token) is for the people at that bridge point: users tied to a unit
    join from bridge points of their units; district users (no unit) only from the meeting's host
    bridge point, so no district account can collect the communes' tokens.
    """
    if not user.has_perm("live.join_room"):
        return False
    if user_scope_unit_ids(user) is None:
        return bridge_point_id == meeting.host_bridge_point_id
    return BridgePoint.objects.visible_to(user).filter(pk=bridge_point_id).exists()


def joinable_bridge_points(*, user: User, meeting: Meeting, bridge_point_ids: Any) -> set[int]:
    """`may_join_from` for many bridge points of one meeting in one query at most."""
    if not user.has_perm("live.join_room"):
        return set()
    if user_scope_unit_ids(user) is None:
        return {meeting.host_bridge_point_id} & set(bridge_point_ids)
    return set(BridgePoint.objects.visible_to(user).filter(pk__in=list(bridge_point_ids)).values_list("pk", flat=True))


def participant_for_join(*, user: User, meeting: Meeting, bridge_point_id: int) -> ParticipantState | None:
    """The participant row (token, pin) whose join page `user` may open, once the room exists."""
    if not may_join_from(user=user, meeting=meeting, bridge_point_id=bridge_point_id):
        return None
    return (
        ParticipantState.objects.select_related("video_room__server", "bridge_point")
        .filter(video_room__meeting=meeting, bridge_point_id=bridge_point_id)
        .exclude(video_room__status=VideoRoom.Status.CLOSED)
        .first()
    )


# Simulcast layer a bridge point receives by its primary link (b20): weak links take the lowest.
LAYER_BY_LINK = {"satellite": 0, "4g": 0, "other": 1, "fibre": 2, "gov_network": 2}


def site_layer(bridge_point_id: int) -> int:
    """The simulcast layer (0 low, 1 medium, 2 high) that fits a bridge point's primary link."""
    from sites.choices import LinkRole
    from sites.models import NetworkLink

    kind = (
        NetworkLink.objects.filter(bridge_point_id=bridge_point_id, role=LinkRole.PRIMARY)
        .values_list("kind", flat=True)
        .first()
    )
    return LAYER_BY_LINK.get(kind or "", 1)

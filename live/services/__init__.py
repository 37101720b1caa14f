"""
Write-side logic of live briefings, one module per concern:

- `janus`: the media servers' clients, the rooms' derived secrets, Janus's stored join tokens;
- `placement`: bitrate caps, preparing room rows on the least-loaded server, creating rooms in Janus in
  batches, and the Redis queue that gathers starts into batches;
- `lifecycle`: meeting start and end (host actions), closing a room;
- `moderation`: the host's mute and drop;
- `participants`: participant rows and the media attendance that follows them;
- `reconcile`: making the portal agree with what Janus really has;
- `readiness`: the sites' checklists and test calls before a meeting;
- `floor`: who has the floor, the agenda item on screen, moderated or open, and who may be in the room;
- `failover`: probing the media servers, moving the live meetings of one that is down to the others;
- `turn`: time-limited TURN credentials for the room pages (bridge points behind NAT).

Janus calls happen outside long transactions; everything a browser must see is broadcast after
commit (`live.broadcast`). Services that tasks run are idempotent, so a task may run twice.

The names are re-exported here, so `from live import services; services.meeting_start(...)` works. To
replace a function in a test, patch it in the module that calls it (`live.services.placement._redis`),
not here: the modules import each other directly.
"""

from live.services.failover import media_servers_probe, server_failed, server_failover
from live.services.floor import (
    agenda_set,
    floor_decline,
    floor_enforce,
    floor_give,
    floor_mode_set,
    floor_request,
    floor_take,
    floor_withdraw,
    participant_claim,
    participant_refuse,
)
from live.services.janus import janus_admin_client, janus_client, room_secret, tokens_sync
from live.services.lifecycle import meeting_end, meeting_record_set, meeting_sites_changed, meeting_start, room_close
from live.services.moderation import participant_drop, participant_mute
from live.services.participants import (
    GONE,
    IN_MEDIA,
    State,
    participant_for_janus_id,
    participant_update,
    participants_all_gone,
)
from live.services.placement import (
    PROVISION_PENDING_KEY,
    PROVISION_SCHEDULED_KEY,
    _redis,
    provision_drain_reset,
    provision_enqueue,
    provision_pending_take,
    room_prepare,
    room_provision,
    rooms_provision,
    site_bitrate,
    site_bitrates,
)
from live.services.readiness import readiness_from_state, readiness_record, test_calls_request
from live.services.reconcile import (
    ReconcileReport,
    _live_tokens,
    participants_reconcile,
    reconcile_all,
    server_health_record,
    server_mark_down,
    server_reconcile,
)
from live.services.turn import ice_servers, turn_credentials

__all__ = [
    "GONE",
    "IN_MEDIA",
    "PROVISION_PENDING_KEY",
    "PROVISION_SCHEDULED_KEY",
    "ReconcileReport",
    "State",
    "_live_tokens",
    "_redis",
    "agenda_set",
    "floor_decline",
    "floor_enforce",
    "floor_give",
    "floor_mode_set",
    "floor_request",
    "floor_take",
    "floor_withdraw",
    "ice_servers",
    "janus_admin_client",
    "janus_client",
    "media_servers_probe",
    "meeting_end",
    "meeting_record_set",
    "meeting_sites_changed",
    "meeting_start",
    "participant_claim",
    "participant_drop",
    "participant_for_janus_id",
    "participant_mute",
    "participant_refuse",
    "participant_update",
    "participants_all_gone",
    "participants_reconcile",
    "provision_drain_reset",
    "provision_enqueue",
    "provision_pending_take",
    "readiness_from_state",
    "readiness_record",
    "reconcile_all",
    "room_close",
    "room_prepare",
    "room_provision",
    "room_secret",
    "rooms_provision",
    "server_failed",
    "server_failover",
    "server_health_record",
    "server_mark_down",
    "server_reconcile",
    "site_bitrate",
    "site_bitrates",
    "test_calls_request",
    "tokens_sync",
    "turn_credentials",
]

"""What each role may do with live briefings."""

from accounts.roles import Role, edit_perms, view_perms

APP = "live"
VIEW = view_perms(APP, "videoroom", "participantstate", "readinesscheck", "liveaction", "recording")

GRANTS = {
    Role.ADMINISTRATOR: [*VIEW, *edit_perms(APP, "mediaserver"), f"{APP}.operate_room", f"{APP}.join_room"],
    # The host opens the room, watches the board, mutes and drops sites, ends the meeting.
    Role.HOST: [*VIEW, f"{APP}.operate_room", f"{APP}.join_room"],
    Role.OFFICE_STAFF: [*VIEW, f"{APP}.operate_room"],
    Role.LEADER: VIEW,
    # Technicians run the readiness checklist and the test call of their bridge point.
    Role.TECHNICIAN: [*VIEW, f"{APP}.change_readinesscheck", f"{APP}.join_room", f"{APP}.view_mediaserver"],
    # A commune officer sees meetings its commune is invited to (scoped) and joins from its room.
    Role.COMMUNE_OFFICER: [*VIEW, f"{APP}.change_readinesscheck", f"{APP}.join_room"],
}

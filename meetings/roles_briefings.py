"""What each role may do with briefings: agenda, documents, delegations, roll call, minutes and tasks."""

from accounts.roles import Role, edit_perms, view_perms

APP = "meetings"
ALL = (
    "meeting",
    "meetinginvitation",
    "agendaitem",
    "meetingdocument",
    "delegationmember",
    "rollcall",
    "minutes",
    "minutestask",
    "textblock",
    "attendanceinterval",
    "proposal",
    "districtoffice",
)
# What a site needs to take part: the meeting, its agenda and documents, its own delegation.
PARTICIPANT_VIEW = ("meeting", "meetinginvitation", "agendaitem", "meetingdocument", "delegationmember")

GRANTS = {
    Role.ADMINISTRATOR: [
        *edit_perms(APP, *ALL),
        f"{APP}.approve_minutes",
        f"{APP}.complete_minutestask",
        f"{APP}.answer_proposal",
    ],
    # Office staff organise: meetings, invitations, agenda, documents, roll call, minutes, tasks.
    Role.OFFICE_STAFF: [
        *view_perms(APP, *ALL),
        *edit_perms(APP, "meeting", "meetinginvitation", "agendaitem", "meetingdocument"),
        *edit_perms(APP, "rollcall", "minutes", "minutestask", "textblock"),
        f"{APP}.complete_minutestask",
        # Communes' proposals: record and assign them; members of the assigned office answer.
        *edit_perms(APP, "proposal"),
        f"{APP}.answer_proposal",
    ],
    # The host runs the meeting: the roll call is taken at the host bridge point.
    Role.HOST: [*view_perms(APP, *ALL), *edit_perms(APP, "rollcall"), f"{APP}.add_proposal"],
    Role.TECHNICIAN: view_perms(APP, *PARTICIPANT_VIEW),
    # A commune sees what its bridge points are invited to, edits and confirms its own delegation,
    # and reports its tasks done; it records its own proposals and reads their answers.
    Role.COMMUNE_OFFICER: [
        *view_perms(APP, *PARTICIPANT_VIEW, "rollcall", "minutes", "minutestask", "proposal", "districtoffice"),
        f"{APP}.add_proposal",
        f"{APP}.change_meetinginvitation",
        *edit_perms(APP, "delegationmember"),
        f"{APP}.complete_minutestask",
    ],
    # Leaders review and approve minutes and follow attendance and tasks.
    Role.LEADER: [*view_perms(APP, *ALL), f"{APP}.approve_minutes"],
}

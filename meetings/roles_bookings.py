"""What each role may do with bookings. Approving is not a role: each room names its approvers."""

from accounts.roles import Role, edit_perms, view_perms

APP = "meetings"
ALL = ("booking", "bookingseries", "skippeddate", "roombookingpolicy")

GRANTS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: edit_perms(APP, *ALL),
    Role.OFFICE_STAFF: [*view_perms(APP, *ALL), *edit_perms(APP, "booking", "bookingseries", "roombookingpolicy")],
    Role.TECHNICIAN: view_perms(APP, *ALL),
    Role.HOST: view_perms(APP, *ALL),
    Role.LEADER: view_perms(APP, *ALL),
    # Scoped to their commune's rooms by unit_scope_lookup.
    Role.COMMUNE_OFFICER: view_perms(APP, *ALL),
}

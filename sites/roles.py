"""What each role may do with units, sites, rooms, bridge points and equipment."""

from accounts.roles import Role, edit_perms, view_perms

APP = "sites"
ALL = ("administrativeunit", "site", "sitecontact", "room", "bridgepoint", "networklink", "equipment")

GRANTS = {
    Role.ADMINISTRATOR: edit_perms(APP, *ALL),
    Role.OFFICE_STAFF: view_perms(APP, *ALL) + edit_perms(APP, "site", "sitecontact", "room"),
    Role.TECHNICIAN: view_perms(APP, *ALL) + edit_perms(APP, "room", "bridgepoint", "networklink", "equipment"),
    Role.HOST: view_perms(APP, *ALL),
    Role.COMMUNE_OFFICER: [
        *view_perms(APP, *ALL),
        f"{APP}.change_site",
        f"{APP}.change_room",
        *edit_perms(APP, "sitecontact", "equipment"),
    ],
    Role.FINANCE: view_perms(APP, *ALL),
    Role.LEADER: view_perms(APP, *ALL),
    Role.POLICE_OPERATOR: view_perms(APP, "administrativeunit", "site"),
}

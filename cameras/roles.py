"""What each role may do with cameras, recorders, alerts and coverage templates."""

from accounts.roles import Role, edit_perms, view_perms

APP = "cameras"
INVENTORY = ("camera", "recorder")
READ = (*INVENTORY, "cameraalert", "cameraincident", "cameraoutage", "coveragetemplate", "zonerequirement")
PASSWORD = f"{APP}.change_camera_password"
ACKNOWLEDGE = (f"{APP}.change_cameraalert", f"{APP}.change_cameraincident")

GRANTS = {
    Role.ADMINISTRATOR: [
        *view_perms(APP, *READ),
        *edit_perms(APP, *INVENTORY, "coveragetemplate", "zonerequirement"),
        PASSWORD,
        *ACKNOWLEDGE,
    ],
    Role.TECHNICIAN: [
        *view_perms(APP, *READ),
        *edit_perms(APP, *INVENTORY, "coveragetemplate", "zonerequirement"),
        PASSWORD,
        *ACKNOWLEDGE,
    ],
    # The district police watch the recorders: they see everything and change nothing.
    Role.POLICE_OPERATOR: view_perms(APP, *READ),
    Role.COMMUNE_OFFICER: view_perms(APP, *READ),
    Role.LEADER: view_perms(APP, *READ),
    Role.FINANCE: view_perms(APP, "camera", "recorder", "coveragetemplate", "zonerequirement"),
    Role.OFFICE_STAFF: view_perms(APP, "camera", "recorder", "cameraalert", "cameraincident"),
}

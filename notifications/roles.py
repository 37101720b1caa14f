"""Everyone with a role has their own notifications; a user with no role has none to read."""

from accounts.roles import Role

GRANTS = {role: ["notifications.view_notification"] for role in Role.values}

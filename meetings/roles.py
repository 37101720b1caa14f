"""What each role may do in meetings: the union of the bookings and briefings grants."""

from meetings.roles_bookings import GRANTS as BOOKING_GRANTS
from meetings.roles_briefings import GRANTS as BRIEFING_GRANTS

GRANTS: dict[str, list[str]] = {
    role: [*BOOKING_GRANTS.get(role, []), *BRIEFING_GRANTS.get(role, [])]
    for role in {*BOOKING_GRANTS, *BRIEFING_GRANTS}
}

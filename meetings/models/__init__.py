"""
Meetings: room bookings and online briefings. The core models are in `core.py`; bookings with
recurrence and approval in `bookings.py`; agenda, delegations, roll call, minutes and tasks in
`briefings.py`; communes' proposals and the district offices that answer them in `proposals.py`.
"""

from meetings.models.bookings import *  # noqa: F403
from meetings.models.briefings import *  # noqa: F403
from meetings.models.core import AttendanceInterval, Booking, FloorTurn, Meeting, MeetingInvitation
from meetings.models.proposals import *  # noqa: F403

__all__ = ["AttendanceInterval", "Booking", "FloorTurn", "Meeting", "MeetingInvitation"]

"""
Meetings: room bookings and online briefings. The core models are in `core.py`; bookings with
recurrence and approval in `bookings.py`; agenda, delegations, roll call, minutes and tasks in
`briefings.py`.
"""

from meetings.models.bookings import *  # noqa: F403
from meetings.models.briefings import *  # noqa: F403
from meetings.models.core import AttendanceInterval, Booking, FloorTurn, Meeting, MeetingInvitation

__all__ = ["AttendanceInterval", "Booking", "FloorTurn", "Meeting", "MeetingInvitation"]

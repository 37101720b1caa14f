"""
Meetings: room bookings and online briefings. Core models here; feature modules (bookings with
recurrence and approval, agenda, delegations, roll call, minutes, tasks) live beside this file and
are imported below.
"""

from meetings.models.core import AttendanceInterval, Booking, Meeting, MeetingInvitation

__all__ = ["AttendanceInterval", "Booking", "Meeting", "MeetingInvitation"]

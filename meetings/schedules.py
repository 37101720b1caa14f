"""Periodic tasks of the meetings app (collected by portal/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Every hour from 07:00 to 17:00 local time: a beat that was down in the morning catches up later,
    # and the service sends each notice only once.
    "meetings-tasks-due": {
        "task": "meetings.tasks.tasks_announce_due",
        "schedule": crontab(minute=5, hour="7-17"),
        "options": {"expires": 3000},
    },
    "meetings-proposals-due": {
        "task": "meetings.tasks.proposals_announce_due",
        "schedule": crontab(minute=10, hour="7-17"),
        "options": {"expires": 3000},
    },
    # Meetings whose end passed unstarted become "not held" (or "ended" when recorded as held), and
    # the communes' requests to confirm delegations to meetings that have started leave their to-do lists.
    "meetings-close-past": {
        "task": "meetings.tasks.meetings_close_past",
        "schedule": 300,
        "options": {"expires": 300},
    },
}

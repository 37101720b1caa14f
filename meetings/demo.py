"""Demo data for meetings: bookings first (briefings are held on them), then briefings."""

from meetings import demo_bookings, demo_briefings


def load() -> None:
    demo_bookings.load()
    demo_briefings.load()

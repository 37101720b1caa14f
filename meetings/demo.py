"""Demo data for meetings: bookings first (briefings are held on them), then briefings."""

from meetings import demo_bookings


def load() -> None:
    demo_bookings.load()

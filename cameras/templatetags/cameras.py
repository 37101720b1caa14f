"""Template filters of the cameras app."""

from collections.abc import Iterable

from django import template

register = template.Library()


@register.filter
def unacknowledged(incidents: Iterable) -> int:
    """How many of `incidents` still wait for an acknowledgement (tick boxes to show)."""
    return sum(1 for incident in incidents if incident.acknowledged_at is None)

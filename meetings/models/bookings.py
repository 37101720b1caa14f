"""bookings models (see meetings/models/__init__.py)."""

__all__: list[str] = []

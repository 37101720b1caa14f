"""
Errors that services raise on purpose. Views turn them into a message for a person, the API into
`{"message": …, "extra": {…}}` (see `common.api.exception_handler`).
"""

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain was broken; the message is meant for the user (translated)."""

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The request clashes with the current state (a double booking, a stale version)."""

    status_code = 409


class PermissionDeniedError(ApplicationError):
    """The user may see the object but not do this to it."""

    status_code = 403

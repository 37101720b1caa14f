"""
Tests that need a real server or browser (Janus, redis-server, Chromium, a network namespace) skip
when it is missing on a developer's machine, and fail where the suite must be complete:
`scripts/test.sh` (and so CI) sets PORTAL_REQUIRE_REAL_SERVICES=1, so a missing part can never turn
into a quiet skip there.
"""

import os

import pytest


def required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_REAL_SERVICES") == "1"


def require(available: object, what: str) -> None:
    """Go on if `available`; otherwise fail (where real parts are required) or skip, naming `what`."""
    if available:
        return
    if required():
        pytest.fail(f"{what} is missing, and this run requires it (PORTAL_REQUIRE_REAL_SERVICES=1)")
    pytest.skip(f"{what} is not available")

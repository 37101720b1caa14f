"""Tests needing a real part skip on a developer's machine without it, and fail where it is required."""

import pytest

from tests.real import require


def test_missing_part_skips_by_default(monkeypatch):
    monkeypatch.delenv("PORTAL_REQUIRE_REAL_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Janus is not available"):
        require(None, "Janus")


def test_missing_part_fails_where_required(monkeypatch):
    monkeypatch.setenv("PORTAL_REQUIRE_REAL_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="Janus is missing"):
        require("", "Janus")


def test_present_part_goes_on(monkeypatch):
    monkeypatch.setenv("PORTAL_REQUIRE_REAL_SERVICES", "1")
    assert require("/usr/bin/janus", "Janus") is None

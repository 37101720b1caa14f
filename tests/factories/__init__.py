"""Factories for the tests' data; `PASSWORD` is every test user's (see the make_user fixture)."""

PASSWORD = "pw-Test-12345"

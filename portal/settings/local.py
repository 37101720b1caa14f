"""Developer machine: debug on, everything else as in base."""

from portal.settings.base import *  # noqa: F403

DEBUG = True

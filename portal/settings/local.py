"""
A machine of our own (what manage.py, scripts/run.sh, ASGI and Celery use when nothing else is set):
everything as in base. DEBUG stays off unless DJANGO_DEBUG=true: a debug page lists every URL pattern
and setting, and the demo that scripts/run.sh starts is often opened by other people.
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)

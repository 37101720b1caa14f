"""
Test settings: the same parts as production (real Redis, real database chosen by DATABASE_URL),
with fast password hashing and an isolated Redis database.
"""

import os

from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, DATABASES, Path, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A file database, not :memory:, so that threads in concurrency tests share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
# Each pytest-xdist worker gets its own Redis database, so that channel groups, caches and Celery
# queues of parallel test processes (each with its own test database) never mix.
_XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
# TEST_REDIS_DB is the first worker's database (scripts/test.sh gives each pass its own); a process
# a test starts is given the parent's TEST_REDIS_URL.
REDIS_URL = env(
    "TEST_REDIS_URL", default=f"redis://127.0.0.1:6379/{env.int('TEST_REDIS_DB', default=9) - _XDIST_INDEX}"
)
CELERY_BROKER_URL = REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal-test",
    }
}
# Redis pub/sub channels are not per database: without a prefix of its own, a test or benchmark on
# Redis database 6 received the deltas of another's meeting with the same id on database 9.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi-db{REDIS_URL.rstrip('/').rpartition('/')[2] or 0}"},
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Off in tests: the test database is rolled back and Redis is not, so a user of one test could be shown
# figures cached by another with the same ids. Tests of the cache turn it on (the benches do too).
DATA_CACHE = env.bool("DATA_CACHE", default=False)
# One folder per test database (and xdist worker): the SQLite and PostgreSQL passes run side by side
# and both have a meeting 1; a worker process started by a test inherits DATABASE_URL, so it agrees.
_DATABASE_KIND = DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
RECORDINGS_ROOT = Path(
    env("RECORDINGS_ROOT", default=str(BASE_DIR / "var" / f"test-recordings-{_DATABASE_KIND}-{_XDIST_INDEX}"))
)
RECORDING_PROGRAMME_SIZE = "640x360"
RECORDING_X264_PRESET = "ultrafast"
RECORDING_MIN_FREE_BYTES = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
# Tests assert the English message ids; the Vietnamese default is tested explicitly with
# override_settings(LANGUAGE_CODE="vi").
LANGUAGE_CODE = "en"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "common.logcontext.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s [req=%(request_id)s meeting=%(meeting_id)s] %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "WARNING"}},
}
# A board heartbeat every 30 s: tests that receive a socket's messages one by one are not interleaved
# with heartbeats; the tests of the heartbeat itself set a short one.
LIVE_BOARD_HEARTBEAT_SECONDS = 30.0

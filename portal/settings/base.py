"""
Settings shared by every environment. Everything lives here; `production.py` only tightens and
`test.py` only adapts. Values come from the environment (see `portal/env.py`); Django's own
settings are prefixed `DJANGO_`, the others are bare.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from portal.env import BASE_DIR, env

DEBUG: bool = env.bool("DJANGO_DEBUG", default=False)
# The development key only exists so that `manage.py` works on a fresh clone; production.py refuses it.
SECRET_KEY: str = env("DJANGO_SECRET_KEY", default="dev-insecure-key-change-me")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "simple_history",
    "axes",
    "csp",
    "channels",
    "django_celery_results",
    "common",
    "accounts",
    "sites",
    "meetings",
    "cameras",
    "investments",
    "live",
    "dashboards",
    "notifications",
]

MIDDLEWARE = [
    # First: every log line of the request, redirects and errors included, carries its id.
    "common.logcontext.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.PortalLocaleMiddleware",
    "common.middleware.BusyTokenMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.navigation",
            ],
        },
    },
]
# Selects are written in Python, the rest of a form through Django's templates (common/renderers.py).
FORM_RENDERER = "common.renderers.PortalFormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default. IMMEDIATE transactions take the write lock at BEGIN, so two
# writers queue on busy_timeout instead of failing with "database is locked" on upgrade; WAL lets
# readers run beside the writer.
SQLITE_PATH: Path = Path(env("SQLITE_PATH", default=str(BASE_DIR / "var" / "db.sqlite3")))
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
    ),
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    # Opening a SQLite connection (its PRAGMAs and Django's SQL functions) took 4 ms, as long as a short
    # request: threads that live on keep theirs (websocket consumers, the Janus event route, Celery
    # workers). An ASGI request's thread ends with it and closes its own (common/asgi.py).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("SQLITE_CONN_MAX_AGE", default=3600)
else:
    # Under ASGI every request runs in a thread of its own, so a per-thread persistent connection
    # (CONN_MAX_AGE) is never reused, and it stays open: with concurrent requests they piled up toward
    # PostgreSQL's max_connections. A pool shared by the process's threads is reused instead; each
    # process (uvicorn, each Celery worker child) opens its own on first use.
    # DATABASE_POOL=false falls back to one connection per request (bench/asgi_db_connections.py).
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "pool",
            {
                "min_size": env.int("DATABASE_POOL_MIN", default=1),
                "max_size": env.int("DATABASE_POOL_MAX", default=16),
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
            },
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A form refused by the CSRF check gets the portal's page (403/404/500 use templates/<code>.html).
CSRF_FAILURE_VIEW = "common.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Content-Security-Policy (django-csp): scripts only from the portal's own static files (no inline
# script or handler on any page; behaviour hangs on data- attributes, static/common/portal.js).
# Inline style attributes are allowed. Live pages add the media servers' origins to connect-src
# (live.views.LiveMixin), as browsers talk to Janus directly.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: X-Forwarded-For only from these reverse proxies (e.g. "127.0.0.1" when nginx
# runs on the same host); none by default, so the header is ignored (common.client_ip).
PORTAL_TRUSTED_PROXIES: list[str] = env.list("PORTAL_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# janus.js and adapter.js come from Debian's libjs-janus-gateway / libjs-webrtc-adapter: only these
# two files are collected (common/staticfiles.py says why not the whole /usr/share/javascript).
DEBIAN_JS_DIR = Path(env("DEBIAN_JS_DIR", default="/usr/share/javascript"))
STATIC_EXTRA_FILES = {
    "debian/janus-gateway/janus.js": DEBIAN_JS_DIR / "janus-gateway" / "janus.js",
    "debian/webrtc-adapter/adapter.js": DEBIAN_JS_DIR / "webrtc-adapter" / "adapter.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "common.staticfiles.ExtraFilesFinder",
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Uploads are never served under MEDIA_URL: only by access-checked views (common.files), which can
# hand the sending to the web server: "nginx" (X-Accel-Redirect to PROTECTED_MEDIA_PREFIX, an
# `internal` location aliased to MEDIA_ROOT) or "sendfile" (X-Sendfile); empty: Django sends it.
PROTECTED_MEDIA_SERVER: str = env("PROTECTED_MEDIA_SERVER", default="")
PROTECTED_MEDIA_PREFIX: str = env("PROTECTED_MEDIA_PREFIX", default="/protected-media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Source maps (megabytes each for the API docs' bundles) are fetched by developer tools only: compressing
# them with brotli took most of collectstatic's minute of CPU.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv"),
    *("woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv"),
    "map",
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Redis, Celery, Channels ----------------------------------------------------------------
REDIS_URL: str = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL: str = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The worker logs through LOGGING above (its filter adds the request and meeting ids), not its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}  # each app adds its periodic tasks in its own schedules.py

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": env("CHANNEL_LAYER_BACKEND", default="channels_redis.pubsub.RedisPubSubChannelLayer"),
        "CONFIG": {"hosts": [env("CHANNEL_LAYER_URL", default=REDIS_URL)]},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "portal",
    }
}
# Slow figures (home panels, coverage gaps) are kept in the cache until the data they read changes
# (common.datacache).
DATA_CACHE = env.bool("DATA_CACHE", default=True)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: DRF then answers 401 with WWW-Authenticate to anonymous calls (403 otherwise).
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["common.permissions.ModelPermissions"],
    # JSON nested too deep is a 400 (common.parsers), not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "common.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.permissions.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Online briefing portal API",
    "DESCRIPTION": "Sites, bridge points, meetings, cameras and investment plans.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its error answers too; times are documented as DRF writes them (common.openapi).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.openapi.document_errors",
        "common.openapi.plain_times",
    ],
}

# --- Integrations ---------------------------------------------------------------------------
JANUS_URL: str = env("JANUS_URL", default="http://127.0.0.1:8088/janus")
JANUS_ADMIN_URL: str = env("JANUS_ADMIN_URL", default="http://127.0.0.1:7088/admin")
JANUS_API_SECRET: str = env("JANUS_API_SECRET", default="")
JANUS_ADMIN_SECRET: str = env("JANUS_ADMIN_SECRET", default="")
JANUS_TIMEOUT_SECONDS: float = env.float("JANUS_TIMEOUT_SECONDS", default=5.0)
# Encrypts secrets at rest (camera passwords, media-server secrets): a Fernet key, or any string
# from which one is derived. production.py refuses the development default.
FIELD_ENCRYPTION_KEY: str = env("FIELD_ENCRYPTION_KEY", default="dev-insecure-field-key")

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="portal@localhost")

# --- Logging --------------------------------------------------------------------------------
# Every line carries the request id and the meeting id where known (common.logcontext); LOG_FORMAT=json
# writes one JSON object per line (production's default), for a log collector.
LOG_FORMAT: str = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "common.logcontext.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": ("%(asctime)s %(levelname)s %(name)s [req=%(request_id)s meeting=%(meeting_id)s] %(message)s")
        },
        "json": {"()": "common.logcontext.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Portal behaviour -----------------------------------------------------------------------
# Each Celery worker writes a heartbeat to Redis this often; /healthz counts it alive for 3 periods.
WORKER_HEARTBEAT_SECONDS: float = env.float("WORKER_HEARTBEAT_SECONDS", default=5.0)
# Workers check the portal's health this often, so that each change of state is logged by itself.
HEALTH_WATCH_SECONDS: float = env.float("HEALTH_WATCH_SECONDS", default=15.0)
PORTAL_NAME = _("Online briefing portal")
IMPORT_MAX_ROWS: int = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_BYTES: int = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# No cell of an imported file may be longer (the longest text field is far shorter), and an XLSX may
# not unpack to more XML than this: a hostile file is refused before it is read in full.
IMPORT_MAX_CELL_CHARS: int = env.int("IMPORT_MAX_CELL_CHARS", default=10_000)
IMPORT_MAX_XLSX_UNCOMPRESSED: int = env.int("IMPORT_MAX_XLSX_UNCOMPRESSED", default=100 * 1024 * 1024)

# --- Notifications --------------------------------------------------------------------------
# The bell's unread count on every page (one COUNT, only when a page renders it).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("notifications.context_processors.notifications")
# Where the portal is reached from outside (e.g. "https://giaoban.nuithanh.gov.vn"): links in e-mails and
# anything written outside a request are made absolute with it. Production defaults to https://<first host>.
PORTAL_BASE_URL: str = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Bookings -------------------------------------------------------------------------------
# A recurring booking may create at most this many occurrences (a weekly briefing for five years).
BOOKING_SERIES_MAX_OCCURRENCES: int = env.int("BOOKING_SERIES_MAX_OCCURRENCES", default=260)
# Public holidays that recurring bookings skip (a `holidays` country code).
BOOKING_HOLIDAY_COUNTRY: str = env("BOOKING_HOLIDAY_COUNTRY", default="VN")

# --- Cameras ---
# Health probes: how often the sweep runs, how many cameras are probed at once, the timeout of each
# network call (connect, each RTSP exchange, the snapshot GET) and the deadline of a whole probe.
CAMERA_PROBE_INTERVAL_SECONDS: int = env.int("CAMERA_PROBE_INTERVAL_SECONDS", default=60)
CAMERA_PROBE_CONCURRENCY: int = env.int("CAMERA_PROBE_CONCURRENCY", default=100)
CAMERA_PROBE_TIMEOUT_SECONDS: float = env.float("CAMERA_PROBE_TIMEOUT_SECONDS", default=3.0)
CAMERA_PROBE_DEADLINE_SECONDS: float = env.float("CAMERA_PROBE_DEADLINE_SECONDS", default=8.0)
CAMERA_DEFAULT_RTSP_PORT: int = env.int("CAMERA_DEFAULT_RTSP_PORT", default=554)
# Flap suppression: offline after N failures in a row, back online after M successes in a row.
CAMERA_OFFLINE_AFTER_FAILURES: int = env.int("CAMERA_OFFLINE_AFTER_FAILURES", default=3)
CAMERA_ONLINE_AFTER_SUCCESSES: int = env.int("CAMERA_ONLINE_AFTER_SUCCESSES", default=2)

# --- Investments ----------------------------------------------------------------------------
# A phase is flagged when its allocation exceeds its planned amount, or its commitments or payments
# exceed its allocation, by more than this many percent (0: any excess).
INVESTMENTS_OVERRUN_THRESHOLD_PERCENT: int = env.int("INVESTMENTS_OVERRUN_THRESHOLD_PERCENT", default=0)
# True: an allocation or spending record that would cause such an excess is refused; False: only warned.
INVESTMENTS_OVERRUN_BLOCKS: bool = env.bool("INVESTMENTS_OVERRUN_BLOCKS", default=False)
# The issuing body printed at the top left of the PDF exports (one line each), and the place before the date.
INVESTMENTS_PDF_ISSUER: list[str] = env.list(
    "INVESTMENTS_PDF_ISSUER", default=["UBND HUYỆN NÚI THÀNH", "PHÒNG TÀI CHÍNH – KẾ HOẠCH"]
)
INVESTMENTS_PDF_PLACE: str = env("INVESTMENTS_PDF_PLACE", default="Núi Thành")
# Name the choice sets that the investments API shares with sites (StandardKit.site_kind,
# CatalogueItem.equipment_kind) or that collide by field name (Spending.kind), so that the OpenAPI
# schema has one name for each (`check --deploy` fails on drf-spectacular's W001 otherwise).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "SiteKindEnum": "sites.choices.SiteKind",
    "EquipmentKindEnum": "sites.choices.EquipmentKind",
    "SpendingKindEnum": "investments.choices.SpendingKind",
}

# --- Live ---
# Janus pushes its events to /api/live/janus-events/ with HTTP basic auth (deploy/janus sampleevh).
JANUS_EVENTS_USER: str = env("JANUS_EVENTS_USER", default="janus-events")
JANUS_EVENTS_PASSWORD: str = env("JANUS_EVENTS_PASSWORD", default="dev-events-password")
# The VideoRoom plugin's admin_key: only the portal may create rooms.
JANUS_VIDEOROOM_ADMIN_KEY: str = env("JANUS_VIDEOROOM_ADMIN_KEY", default="dev-videoroom-admin-key")
# TURN (coturn, README "NAT traversal"): the URLs handed to every room page, e.g.
# "turn:giaoban.example.vn:3478?transport=udp,turns:giaoban.example.vn:5349?transport=tcp", the secret
# shared with coturn's static-auth-secret, and how long each page's credentials stay valid (a page
# that joins again gets fresh ones). No URLs or no secret: no TURN.
TURN_URLS: list[str] = env.list("TURN_URLS", default=[])
TURN_SECRET: str = env("TURN_SECRET", default="")
TURN_CREDENTIAL_TTL_SECONDS: int = env.int("TURN_CREDENTIAL_TTL_SECONDS", default=12 * 3600)
# Seconds between participant reconciles of a live meeting (events may be lost, JANUS.md §9).
LIVE_RECONCILE_SECONDS: float = env.float("LIVE_RECONCILE_SECONDS", default=5.0)
# The reconcile lock's lifetime, renewed by its holder every third of it: a worker killed in the middle
# of a pass holds reconciliation up at most this long.
LIVE_RECONCILE_LOCK_SECONDS: float = env.float("LIVE_RECONCILE_LOCK_SECONDS", default=6.0)
# The media servers' health probe (a GET of Janus's /info, no retry): how often, how long it waits, and
# after how many failures in a row a server is down and its live meetings move to a healthy one.
LIVE_PROBE_SECONDS: float = env.float("LIVE_PROBE_SECONDS", default=2.0)
LIVE_PROBE_TIMEOUT_SECONDS: float = env.float("LIVE_PROBE_TIMEOUT_SECONDS", default=1.0)
LIVE_FAILOVER_PROBES: int = env.int("LIVE_FAILOVER_PROBES", default=2)
# A site back in a meeting's media within this many seconds of losing it (a Janus restart, a network
# blip) continues its attendance interval instead of starting another.
LIVE_ATTENDANCE_MERGE_SECONDS: float = env.float("LIVE_ATTENDANCE_MERGE_SECONDS", default=30.0)
# Live boards and room pages hear a heartbeat this often through the channel layer (with the room's
# delta number); three periods without one and they say their view is not up to date.
LIVE_BOARD_HEARTBEAT_SECONDS: float = env.float("LIVE_BOARD_HEARTBEAT_SECONDS", default=5.0)

# --- Recordings (b21) -----------------------------------------------------------------------
# Janus records each meeting into <RECORDINGS_ROOT>/meeting-<id>/raw (the room's rec_dir: Janus must
# write there, so both run on one host or share the folder); the post-processed files sit beside it.
# Never under MEDIA_ROOT or a public URL: only the archive's access-checked views send them, or the
# web server after the check (PROTECTED_MEDIA_SERVER "nginx": X-Accel-Redirect to
# PROTECTED_RECORDINGS_PREFIX, an `internal` location aliased to RECORDINGS_ROOT).
RECORDINGS_ROOT = Path(env("RECORDINGS_ROOT", default=str(BASE_DIR / "var" / "recordings")))
PROTECTED_RECORDINGS_PREFIX: str = env("PROTECTED_RECORDINGS_PREFIX", default="/protected-recordings/")
JANUS_PP_REC: str = env("JANUS_PP_REC", default="janus-pp-rec")
FFMPEG: str = env("FFMPEG", default="ffmpeg")
FFPROBE: str = env("FFPROBE", default="ffprobe")
# The programme (the chair's video with every site's audio): frame size and x264 speed preset.
RECORDING_PROGRAMME_SIZE: str = env("RECORDING_PROGRAMME_SIZE", default="1280x720")
RECORDING_X264_PRESET: str = env("RECORDING_X264_PRESET", default="veryfast")
# Keep Janus's raw .mjr files after the post-processing (to redo it); off: the files are the record.
RECORDING_KEEP_RAW: bool = env.bool("RECORDING_KEEP_RAW", default=False)
# janus-pp-rec and ffmpeg run at this nice level (0: as the worker): the live rooms come first.
RECORDING_NICE: int = env.int("RECORDING_NICE", default=10)
# Post-processing a long briefing takes about its length (bench/recording.py): its task's own limit.
RECORDING_TASK_TIME_LIMIT: int = env.int("RECORDING_TASK_TIME_LIMIT", default=8 * 3600)
# Retention: recordings are kept this long after the meeting; those of a meeting whose minutes were
# never approved, this long.
RECORDING_KEEP_DAYS: int = env.int("RECORDING_KEEP_DAYS", default=5 * 365)
RECORDING_UNAPPROVED_KEEP_DAYS: int = env.int("RECORDING_UNAPPROVED_KEEP_DAYS", default=365)
# A recording does not start with less free space than this on the recordings' disk (an 18-site
# briefing takes a few GB an hour: bench/recording.py).
RECORDING_MIN_FREE_BYTES: int = env.int("RECORDING_MIN_FREE_BYTES", default=20 * 1024**3)

# --- Briefings ------------------------------------------------------------------------------
# May the person who drafted a version of the minutes also approve it? Most offices say no.
BRIEFINGS_MINUTES_SELF_APPROVAL: bool = env.bool("BRIEFINGS_MINUTES_SELF_APPROVAL", default=False)
BRIEFINGS_DOCUMENT_MAX_BYTES: int = env.int("BRIEFINGS_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Provincial operating rules: each site sends its confirmed delegation this long before the start.
BRIEFINGS_DELEGATION_DEADLINE_MINUTES: int = env.int("BRIEFINGS_DELEGATION_DEADLINE_MINUTES", default=15)
# The place in "Núi Thành, ngày … tháng … năm …"; empty means the host unit's short name.
BRIEFINGS_MINUTES_PLACE: str = env("BRIEFINGS_MINUTES_PLACE", default="")
# Liberation Serif 2.x (Debian fonts-liberation2) has every Vietnamese glyph; 1.x (fonts-liberation) lacks
# ơ, ư, ạ … and would fall back to another face in the middle of words. The PDF loads these files by path.
BRIEFINGS_PDF_FONT_DIR: str = env("BRIEFINGS_PDF_FONT_DIR", default="/usr/share/fonts/truetype/liberation2")

# What the network saves (meetings.selectors.savings): a delegation's trip to the district hall that a
# briefing over the network spares. A site's distance defaults to the great-circle distance from the
# hall × the road factor, its time to that distance at the average speed; allowances in đồng.
TRAVEL_ROAD_FACTOR: float = env.float("TRAVEL_ROAD_FACTOR", default=1.3)
TRAVEL_AVERAGE_SPEED_KMH: float = env.float("TRAVEL_AVERAGE_SPEED_KMH", default=35.0)
TRAVEL_ALLOWANCE_PER_KM: int = env.int("TRAVEL_ALLOWANCE_PER_KM", default=3_000)
TRAVEL_ALLOWANCE_PER_PERSON_TRIP: int = env.int("TRAVEL_ALLOWANCE_PER_PERSON_TRIP", default=150_000)

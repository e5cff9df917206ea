"""Orgbook settings: one environment-driven file, strict, SQLite by default."""

from __future__ import annotations

import os
import secrets
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url

from orgbook.env import SettingError, env_bool, env_choice, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("ORGBOOK_DATA_DIR", "./var")
# The data directory holds the database, sessions, the key files and uploaded metadata: nothing in
# it is for other users of the machine. Every Orgbook process reads these settings first, so the
# mask set here makes all it creates there (and elsewhere) 0600 files in 0700 folders.
os.umask(0o077)
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use DJANGO_SECRET_KEY, else a key file made once in the data directory."""
    configured = env_str("DJANGO_SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ORGBOOK_DEBUG", False)
ALLOWED_HOSTS = env_list("ORGBOOK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ORGBOOK_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_str("ORGBOOK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "orgbook.spaces",
    "orgbook.implementations",
    "orgbook.orgmodels",
    "orgbook.documentation",
    "orgbook.runs",
    "orgbook.web",
    # django-ninja renders /api/v1/docs from its own templates and the Swagger UI files it ships
    # (served by whitenoise through the finders) only when it is an installed app; otherwise the
    # page loads them from a CDN, and an Orgbook without internet shows a blank page.
    "ninja",
    # django-axes: failed sign-ins counted per account and address, then locked out (see below).
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "orgbook.web.nul.refuse_nul",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "orgbook.web.views.errors.api_json_errors",
    "orgbook.web.context.remember_space",
]

ROOT_URLCONF = "orgbook.urls"
WSGI_APPLICATION = "orgbook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgbook.web.context.spaces",
            ],
        },
    },
]


# The embedded default: SQLite in the data directory, migrated by any `orgbook` command that needs it.
# With DATABASE_URL an operator migrates, once per upgrade (docs/deploy.md).
DATABASE_IS_EMBEDDED = env_str("DATABASE_URL", "") == ""


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'orgbook.sqlite3'}")
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except Exception as exc:  # dj-database-url raises several kinds; all mean the same to the user
        raise SettingError(f"DATABASE_URL is not a database URL we understand: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE makes every transaction take the write lock up front, so two
        # concurrent "create implementation" requests serialise instead of racing.
        # Kept open between requests like PostgreSQL's (opening one and running the PRAGMAs cost
        # a request about 1.5 ms of CPU); a request ends its transactions, so no lock is held.
        config["CONN_MAX_AGE"] = 60
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            # Seconds a write waits for another process's lock before "database is locked".
            "timeout": env_int("ORGBOOK_SQLITE_TIMEOUT", 20, minimum=1),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": _database()}

# Cache: rendered parts of a model version's pages (orgbook/web/pagecache.py), shared by every web
# process. Files in the data directory on the embedded default (atomic writes, no server needed);
# Redis when ORGBOOK_REDIS_URL is set (several web machines need it: files are per machine).
_redis_url = env_str("ORGBOOK_REDIS_URL", "")
CACHES = {
    "default": {
        # Django's RedisCache, with Redis down or restarting treated as misses (orgbook/rediscache.py).
        "BACKEND": "orgbook.rediscache.ResilientRedisCache", "LOCATION": _redis_url, "KEY_PREFIX": "orgbook",
    } if _redis_url else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache"),
        # Each entry is a compressed page part; culling lists the folder on every write, so keep it bounded.
        "OPTIONS": {"MAX_ENTRIES": 3000, "CULL_FREQUENCY": 3},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS: list[Path] = []
WHITENOISE_USE_FINDERS = True

# Sessions in the database and read through the cache (every request reads one; logging out
# deletes both, so a session stays revocable).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ORGBOOK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # Secure cookies mean Orgbook is served over HTTPS, behind a proxy that terminates TLS: browsers
    # are told to use HTTPS only (a year, as Django's deployment check advises), and the proxy's
    # X-Forwarded-Proto says which scheme a request came in by (docs/deploy.md: the proxy must set
    # it, overwriting what the client sent).
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling (django-axes): after ORGBOOK_LOGIN_ATTEMPTS wrong passwords for one account from
# one address, that pair is refused for ORGBOOK_LOGIN_LOCKOUT_MINUTES, even with the right password.
# Per account *and* address, so an attacker elsewhere cannot lock a member out of their own account;
# a success clears the count. The email is compared lower-cased, as sign-in does.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("ORGBOOK_LOGIN_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ORGBOOK_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "orgbook.web.views.auth.sign_in_name"
AXES_LOCKOUT_CALLABLE = "orgbook.web.signin.locked_out"
AXES_VERBOSE = False
# API token throttling (orgbook/spaces/throttling.py, Django's cache): ORGBOOK_TOKEN_ATTEMPTS invalid
# tokens from one address within ORGBOOK_TOKEN_LOCKOUT_MINUTES pause its Bearer requests for as long;
# one valid token makes at most ORGBOOK_TOKEN_RATE_PER_MINUTE requests a minute (10 a second on
# average: well above what a script walking a large model needs, well below what hurts the server).
ORGBOOK_TOKEN_ATTEMPTS = env_int("ORGBOOK_TOKEN_ATTEMPTS", 10, minimum=1)
ORGBOOK_TOKEN_LOCKOUT_MINUTES = env_int("ORGBOOK_TOKEN_LOCKOUT_MINUTES", 15, minimum=1)
ORGBOOK_TOKEN_RATE_PER_MINUTE = env_int("ORGBOOK_TOKEN_RATE_PER_MINUTE", 600, minimum=1)

# Content-Security-Policy (django-csp): scripts only from Orgbook's own static files, never inline,
# so injected markup cannot run; nothing from another host. Styles allow inline attributes (the
# tree's indentation, htmx's indicator and Swagger UI set them). No form-action: the Connect Org form
# is answered with a redirect to Salesforce, which that directive would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

EMAIL_BACKEND = env_str("ORGBOOK_EMAIL_BACKEND", "orgbook.mail.ConsoleEmailBackend")
EMAIL_HOST = env_str("ORGBOOK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ORGBOOK_EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("ORGBOOK_FROM_EMAIL", "orgbook@localhost")

# Networks webhooks may call although they are Orgbook's own (loopback, private, link-local):
# comma-separated CIDRs, e.g. 10.20.0.0/16 for a receiver on the company network (orgmodels/outbound.py).
ORGBOOK_WEBHOOK_ALLOWED_NETWORKS = env_list("ORGBOOK_WEBHOOK_ALLOWED_NETWORKS", [])

# Product rules that are settings.
ORGBOOK_SUSPENDED_RETENTION_DAYS = env_int("ORGBOOK_SUSPENDED_RETENTION_DAYS", 240, minimum=1)
ORGBOOK_TRIAL_DAYS = env_int("ORGBOOK_TRIAL_DAYS", 14, minimum=1)
ORGBOOK_INVITATION_DAYS = env_int("ORGBOOK_INVITATION_DAYS", 7, minimum=1)
# Who may make an account in the browser: "invitation" (the default: only someone holding a pending
# invitation, for its address; Spaces are made by the installation's staff or `orgbook space create`)
# or "open" (anyone may sign up and create a Space; `orgbook serve --demo` uses it).
ORGBOOK_SIGNUP = env_choice("ORGBOOK_SIGNUP", "invitation", {"invitation", "open"})
ORGBOOK_PURGE_WARNING_DAYS = (30, 7)

# Salesforce connected app: one per installation (docs/salesforce-access.md says how to create it).
ORGBOOK_SF_CLIENT_ID = env_str("ORGBOOK_SF_CLIENT_ID", "")
ORGBOOK_SF_CLIENT_SECRET = env_str("ORGBOOK_SF_CLIENT_SECRET", "")
ORGBOOK_SF_LOGIN_URL = env_str("ORGBOOK_SF_LOGIN_URL", "https://login.salesforce.com")
ORGBOOK_SF_SANDBOX_LOGIN_URL = env_str("ORGBOOK_SF_SANDBOX_LOGIN_URL", "https://test.salesforce.com")
ORGBOOK_SF_API_VERSION = env_str("ORGBOOK_SF_API_VERSION", "62.0")
# First wait between checkRetrieveStatus polls (doubles up to 30 s).
ORGBOOK_SF_POLL_MS = env_int("ORGBOOK_SF_POLL_MS", 1000, minimum=1)
# Estimated files per retrieve (Salesforce refuses over 10,000), and the per-org sync lease: a
# thread renews it every quarter of this while the sync's process lives, so a killed worker's lease
# lapses within this long and a redelivered, retried or new sync takes the run over.
ORGBOOK_SYNC_CHUNK_FILES = env_int("ORGBOOK_SYNC_CHUNK_FILES", 5000, minimum=1)
# Retrieves a sync keeps in flight at once (docs/salesforce-limits.md): 3 stays under the smallest
# concurrent limit Salesforce documents (5, Developer Edition and trials) with room for the
# Salesforce CLI or a deploy on the same org, and already hides most of the preparing time.
ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT = env_int("ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT", 3, minimum=1)
# Processes that parse a sync's, import's or upload's files (orgbook/metadata/parallel.py): one per
# core by default; 0 parses in the sync's own process. Each takes up to about 110 MB while it reads.
ORGBOOK_READ_WORKERS = env_int("ORGBOOK_READ_WORKERS", os.cpu_count() or 1, minimum=0)
ORGBOOK_SYNC_LEASE_SECONDS = env_int("ORGBOOK_SYNC_LEASE_SECONDS", 60, minimum=1)
# A task that met an unreachable database or broker is retried after a random wait of up to this
# many seconds, doubling with each retry (up to 10 minutes); five retries at most.
ORGBOOK_TASK_RETRY_BACKOFF_SECONDS = env_int("ORGBOOK_TASK_RETRY_BACKOFF_SECONDS", 10, minimum=1)
# Redis redelivers a task not acknowledged after this long (the worker died or the task is still
# running). Above the longest countdown a task is retried with (1 h: an ETA message held longer is
# delivered twice) and a large org's longest sync; a dead worker's sync does not wait for it (the
# scheduler re-queues a sync whose heartbeat lapsed, docs/deploy.md "Sync recovery").
ORGBOOK_BROKER_VISIBILITY_TIMEOUT = env_int("ORGBOOK_BROKER_VISIBILITY_TIMEOUT", 7200, minimum=1)
ORGBOOK_MAX_UPLOAD_MB = env_int("ORGBOOK_MAX_UPLOAD_MB", 200, minimum=1)
ORGBOOK_CONNECT_STATE_SECONDS = env_int("ORGBOOK_CONNECT_STATE_SECONDS", 600, minimum=60)

# Celery: Redis in production; the embedded default is kombu's filesystem transport in
# the data directory, so `orgbook serve` needs no other server.
_queue_dir = DATA_DIR / "queue"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT = "orgbook.queue:Transport"  # kombu's, with atomic message files
    for sub in ("in", "processed", "control"):
        (_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "in"),
        "data_folder_out": str(_queue_dir / "in"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": ORGBOOK_BROKER_VISIBILITY_TIMEOUT,
        # Look for messages past their visibility timeout every 10 s (kombu's default scans only on
        # every 10th look, about every 100 s); sooner when the timeout itself is shorter.
        "unacked_restore_interval": max(1, min(10, ORGBOOK_BROKER_VISIBILITY_TIMEOUT // 4)),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("ORGBOOK_TASKS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
# With acks_late: a task whose worker child died (SIGKILL, out of memory) goes back to the queue
# at once instead of being acknowledged as failed; the lease makes a second run harmless.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# A broker that restarts or stays away must not end a worker: it waits for Redis at start (a machine
# that boots first) and reconnects however long Redis is gone (Celery's default gives up after 100
# tries, about 50 minutes). orgbook/queue.py's Redis transport keeps a restart under a running task
# from killing it (tests/tasks/test_worker_survives_a_broker_restart.py).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

_tz = env_str("ORGBOOK_DEFAULT_TIME_ZONE", "UTC")
if _tz not in zoneinfo.available_timezones():
    raise SettingError(f"ORGBOOK_DEFAULT_TIME_ZONE must be an IANA time zone like Europe/Paris, got {_tz!r}")
ORGBOOK_DEFAULT_TIME_ZONE = _tz

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ORGBOOK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

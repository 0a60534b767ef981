"""Settings of the GFMD Roundtable Portal.

One file, driven by the environment (see README, "Configuration"). Without DEBUG=1 the portal
refuses to start unless SECRET_KEY and ALLOWED_HOSTS are given.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (50 random characters) in the environment, "
            "or DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Give the host names the portal answers to, comma separated, "
        "e.g. ALLOWED_HOSTS=portal.example.org."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin: adds each language's columns to the models (translation.py)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "reversion",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "roundtables",
    "sessions.apps.SessionsConfig",
    "contributions",
    "programme",  # reads across the apps above; none of them imports it
]

MIDDLEWARE = [
    # A stored page or PDF replayed, with the headers it first went out with, to a visitor without cookies
    # (core/page_cache_middleware.py); first, so that nothing else runs for it.
    "core.page_cache_middleware.ReplayPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sessions.middleware.AgendaStarsMiddleware",  # star buttons show the visitor's agenda (sessions/agenda.py)
    # Cached pages and PDFs for the other visitors without a session (their stars shown), before any view
    # work (core/page_cache.py); after the middlewares above, so its answers get the same headers as a view's.
    "core.page_cache_middleware.EarlyPageCacheMiddleware",
    "core.outage.DatabaseUnavailableMiddleware",  # a view without its database answers 503, not 500
    "axes.middleware.AxesMiddleware",  # a refused admin login answers 429 (core/security.py)
]

ROOT_URLCONF = "gfmd_portal.urls"

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
                "programme.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "gfmd_portal.wsgi.application"

# SQLite is the embedded default; DATABASE_URL (e.g. postgres://user@host:5432/name) selects
# PostgreSQL in production. On both, a process keeps its connection for CONN_MAX_AGE seconds (default 60)
# rather than opening one per request: a new SQLite connection costs more than most pages (its PRAGMAs and
# reading the schema before the first query: 2.1 to 4.7 ms of CPU per request, bench/connections.py through the
# WSGI handler on the session, person and search pages, against 5.6 to 17 ms for the pages themselves).
# An idle connection holds no lock, and each statement outside a transaction sees the latest commits.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: the GFMD's three languages, with language-prefixed URLs.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# The programme's own texts (titles, backgrounds, issues, names...) in the same three languages, one
# column per language (core/translated.py). The committee writes in English; French and Spanish are
# optional, and a text without them shows in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fr", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The cache holds only what can be made or counted again (pages, rate limits): with Redis, an outage reads as
# an empty cache and is logged, never an error page (core/cache_backends.py). Give Redis a memory bound
# with an LRU policy in production (README, "Running in production").
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gfmd",
            # A Redis that does not answer costs a request half a second at most, not a worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "gfmd-portal",
            "OPTIONS": {"MAX_ENTRIES": 300},  # per process; a third is dropped when full
        }
    }

# Background tasks (rendering the programme PDFs): django-tasks with its database backend, so the
# queue lives in the database the portal already has; `manage.py db_worker` runs the tasks (`make
# run` starts one beside gunicorn; README, "Running in production").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Every committed change to the public programme queues a refresh of the stale PDFs (sessions/pdf/tasks.py).
PDF_REFRESH_ON_CHANGE = env_bool("PDF_REFRESH_ON_CHANGE", default=True)

# Whole-page cache of the public pages for anonymous visitors (core/page_cache.py).
# PAGE_CACHE=0 turns it off, e.g. to measure or debug how pages are made.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
# How long an entry is kept (a change to the programme replaces it sooner), and the largest response stored:
# for a 300-session forum the programme page is 0.4 MB, its calendar 0.5 MB and its schedule.xml 1 MB.
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "3600"))
PAGE_CACHE_MAX_ENTRY_BYTES = int(os.environ.get("PAGE_CACHE_MAX_ENTRY_BYTES", 2 * 1024 * 1024))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploaded documents: what the portal accepts.
DOCUMENT_MAX_UPLOAD_BYTES = int(os.environ.get("DOCUMENT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))

# Contributions from civil society: the largest PDF accepted, and how many submissions one address
# may send per window (counted in the cache, so shared by all processes when REDIS_URL is set).
CONTRIBUTION_MAX_UPLOAD_BYTES = int(os.environ.get("CONTRIBUTION_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
CONTRIBUTION_RATE_LIMIT = int(os.environ.get("CONTRIBUTION_RATE_LIMIT", "5"))
CONTRIBUTION_RATE_WINDOW = int(os.environ.get("CONTRIBUTION_RATE_WINDOW", "3600"))  # seconds

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "programme@localhost")

LOGIN_URL = "admin:login"

# Security. HTTPS is assumed in production (HTTPS=0 turns it off for a plain-HTTP local run, as
# `make run` does); behind a reverse proxy that terminates TLS, set TRUST_X_FORWARDED_PROTO=1.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of the portal, each appending to X-Forwarded-For the address it
# received the request from. The client's address, which the login throttle and the contribution limit count
# (core/security.py, client_address), is that many hops from the right of the header; hops further
# left are written by the client and ignored. 0: REMOTE_ADDR only, the header is ignored. The default is 1
# behind the proxy that TRUST_X_FORWARDED_PROTO=1 declares, 0 otherwise.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("TRUST_X_FORWARDED_PROTO") else "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of proxies in front of the portal: 0 or more.")

# The portal's public address, printed with a QR code on PDF handouts and in the booklet for each session
# (PDFs are made by the worker, outside any request). Default: the first host of ALLOWED_HOSTS that is not
# a pattern, over https (http with HTTPS=0); empty (no address printed) when there is none.
_PUBLIC_HOSTS = [host for host in ALLOWED_HOSTS if host and not host.startswith(".") and "*" not in host]
PORTAL_URL = os.environ.get(
    "PORTAL_URL", f"{'https' if HTTPS else 'http'}://{_PUBLIC_HOSTS[0]}" if _PUBLIC_HOSTS else ""
).rstrip("/")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Content-Security-Policy: no inline script or style anywhere on the public site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Admin login throttle: django-axes, completed in core/security.py. LOGIN_FAILURE_LIMIT failed logins at
# one account (from any address), or from one address (at any accounts), lock further attempts for
# LOGIN_FAILURE_WINDOW_SECONDS after the last failure; a locked attempt is refused before its password is
# checked and does not extend the lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login inside authenticate()
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per account and per address, each on its own
# Failures live in the database, which every process shares. (The cache handler keeps one total per account
# and per address and could not forget a single account's failures at one address on success.)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_USERNAME_CALLABLE = "core.security.login_account_name"  # the name as authentication spells it
AXES_CLIENT_IP_CALLABLE = "core.security.client_address"  # the address the contribution limit counts
# A success forgets that account's failures from that address only (core.security.forget_own_failures);
# axes' own reset would forget the address's failures at every account.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # keep no record of successful logins, only the failures the throttle needs

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

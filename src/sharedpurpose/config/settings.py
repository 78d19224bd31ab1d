"""One settings module, configured from the environment (see README, "Configuration")."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

env = environ.Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Where the embedded database, the generated secret key and the cache live.
VAR_DIR = Path(env.str("SHAREDPURPOSE_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()
# Compiled front-end packages installed by npm (see package.json).
NODE_MODULES_DIR = Path(
    env.str("SHAREDPURPOSE_NODE_MODULES", default=str(Path.cwd() / "node_modules"))
).resolve()
# Stylesheets compiled from src/sharedpurpose/core/scss by `npm run build` (see Makefile).
BUILD_DIR = Path(env.str("SHAREDPURPOSE_BUILD_DIR", default=str(Path.cwd() / "build"))).resolve()
NHSUK_FRONTEND_DIR = NODE_MODULES_DIR / "nhsuk-frontend" / "dist" / "nhsuk"
HTMX_DIR = NODE_MODULES_DIR / "htmx.org" / "dist"


def _local_secret_key() -> str:
    """A key kept beside the embedded database, so a fresh machine needs no manual step.

    Production sets SECRET_KEY in the environment instead.
    """
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# HTTPS hardening follows the site's address, not a separate "production" switch.
USES_HTTPS = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = USES_HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if USES_HTTPS else None
SESSION_COOKIE_SECURE = USES_HTTPS
CSRF_COOKIE_SECURE = USES_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if USES_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = USES_HTTPS
SECURE_HSTS_PRELOAD = USES_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

INSTALLED_APPS = [
    "sharedpurpose.core",
    "sharedpurpose.accounts",
    "sharedpurpose.programmes",
    "sharedpurpose.improvement",
    "sharedpurpose.engagement",
    "sharedpurpose.applications",
    "sharedpurpose.evidence",
    "sharedpurpose.api",
    "sharedpurpose.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sharedpurpose.core.middleware.StaticAssetsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sharedpurpose.core.middleware.RequestLogMiddleware",
    "sharedpurpose.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sharedpurpose.api.problems.ApiProblemMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "sharedpurpose.config.urls"
WSGI_APPLICATION = "sharedpurpose.config.wsgi.application"

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
                "sharedpurpose.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sharedpurpose.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes;
    # IMMEDIATE transactions avoid "database is locked" on lock upgrades. Every request's
    # transaction takes the write lock, so a burst of requests queues for it: each waits up
    # to 20 s (below gunicorn's 30 s worker timeout) rather than failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
    # Rendered public pages: per process is enough, since their keys name their content.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

TASKS = {"default": {"BACKEND": env.str("TASK_BACKEND", default="django_tasks_db.DatabaseBackend")}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

# django-allauth: e-mail is the only identifier; addresses must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Shared Purpose] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if USES_HTTPS else "http"
ACCOUNT_ADAPTER = "sharedpurpose.accounts.adapter.AccountAdapter"
# Sign-in throttling: failed attempts per IP and per account, kept in the shared cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# The embedded default writes each e-mail to a file under var/mail, so a newcomer can read what
# was sent; production sets an smtp:// URL.
EMAIL_CONFIG = (
    env.email_url("EMAIL_URL")
    if "EMAIL_URL" in env
    else {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
    }
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Shared Purpose <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # served from the finders; no collectstatic step
STATICFILES_DIRS = [
    ("nhsuk", NHSUK_FRONTEND_DIR),
    ("htmx", HTMX_DIR),
    BUILD_DIR / "static",
]
# Static files are served from their sources by WhiteNoise, so no collectstatic step exists
# that an install could forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Applicants' uploads: outside the web root, no URL; served by a view that checks access.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "sharedpurpose.core.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": [], "propagate": True},
        # WeasyPrint narrates every step of a PDF at INFO; its warnings are what matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

#: API requests allowed per token (or per signed-in user, or per address) and period.
SHAREDPURPOSE_API_RATE = env.str("API_RATE", default="1200/min")
# Rate limits count the connecting address; a proxy in front must be declared to be trusted.
NINJA_NUM_PROXIES = env.int("TRUSTED_PROXIES", default=0)

#: How long a worker's claim on an outbox e-mail lasts; after it the worker is presumed stopped
#: and another worker sends the e-mail (see ``engagement.outbox``).
SHAREDPURPOSE_OUTBOX_CLAIM_TIMEOUT = timedelta(
    seconds=env.int("OUTBOX_CLAIM_TIMEOUT", default=30 * 60)
)
#: Subscribers written to the outbox per transaction when applications open: smaller chunks
#: hold the database's write lock for less time, larger ones finish sooner.
SHAREDPURPOSE_OUTBOX_FANOUT_CHUNK = env.int("OUTBOX_FANOUT_CHUNK", default=2000)

# Retention (README, "Personal data"): a stay-informed sign-up's confirmation link works this
# many days, and the sign-up is deleted unconfirmed after it; an account whose address was
# never verified, with nothing else attached, is deleted this many days after sign-up.
SHAREDPURPOSE_SUBSCRIBE_CONFIRM_DAYS = env.int("SUBSCRIBE_CONFIRM_DAYS", default=7)
SHAREDPURPOSE_UNVERIFIED_ACCOUNT_DAYS = env.int("UNVERIFIED_ACCOUNT_DAYS", default=30)

SHAREDPURPOSE_SITE_NAME = "Shared Purpose"
SHAREDPURPOSE_FUNDER_NAME = env.str("FUNDER_NAME", default="The Improvement Foundation")

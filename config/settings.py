"""One settings module, read from the environment (see README for every variable and its default).

No DATABASE_URL means a SQLite file in the project folder, so a newcomer needs nothing installed;
production and CI point DATABASE_URL at PostgreSQL.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG: bool = env.bool("DEBUG", default=False)
# The fallback key is only good for development: with DEBUG off the settings refuse it (see the block
# "HTTP and sessions" at the end).
SECRET_KEY: str = env.str(
    "SECRET_KEY", default="django-insecure-dev-only-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",  # django.contrib.admin, for administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "import_export",
    "django_filters",
    "django_tasks",  # the django.tasks backport (Django 6.0 has it built in)
    "django_tasks_db",  # its database backend: the queue is a table, the worker `manage.py db_worker`
    "core",
    "associations",
    "grading",
    "subsidies",
    "awards",
    "flagship",
    "config.apps.PortalConfig",  # composition: commands that span the apps (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.YearNotFoundMiddleware",  # a year out of range: the friendly 404, DEBUG on or off
    "axes.middleware.AxesMiddleware",  # last, so it turns any locked-out sign-in into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

_TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # Templates are compiled once per process and kept (the cached loader). Django has done so by
        # default since 4.1; it is spelled out for production so that it stays so. With DEBUG the default is
        # kept: the same cache, emptied when a template file changes.
        "APP_DIRS": DEBUG,
        "OPTIONS": {
            **({} if DEBUG else {"loaders": [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)]}),
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.portal",
                "associations.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions and caches live in the database so several app servers can share one PostgreSQL.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in that holds against guessing (README, Sign-in lockout): django-axes refuses a username, and
# separately an address, after AXES_FAILURE_LIMIT failures until AXES_COOLOFF_MINUTES have passed since the
# last one; usernames are matched without regard to case, and both axes and the backend agree on that.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt before any password check
    "core.auth.CaseInsensitiveModelBackend",
]
AXES_ENABLED: bool = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
# Each entry is counted on its own; "a+b" counts the pair together (e.g. "username+ip_address").
AXES_LOCKOUT_PARAMETERS = [
    entry.split("+") for entry in env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])
]
AXES_RESET_ON_SUCCESS: bool = env.bool("AXES_RESET_ON_SUCCESS", default=True)
# Off: tries during a lockout do not prolong it, so the time the lockout page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT: bool = env.bool(
    "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT", default=False
)
AXES_HANDLER = "core.auth.PortalAxesHandler"
AXES_USERNAME_CALLABLE = "core.auth.lockout_username"
AXES_CLIENT_IP_CALLABLE = "core.auth.client_address"
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
# How many reverse proxies in front append to X-Forwarded-For; the client's address is read that many
# entries from the right. Zero reads REMOTE_ADDR and ignores the header, which a client can forge.
TRUSTED_PROXY_COUNT: int = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
#: Subsidy attachments: outside the web root, served only by a view that checks the viewer's scope.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Transport security: on by default outside DEBUG, except the redirect, which depends on the proxy in front.
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE: bool = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE: bool = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)

# django-import-export in the admin (core/admin_exports.py): an uploaded import waits for its confirmation
# on the media storage, which every app server shares; an import is one transaction; files are written and
# formula cells escaped by core.exports (the library's own escaping drops the "=", so it stays off).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "core.admin_exports.SharedMediaStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Bounds on every spreadsheet import (core/spreadsheets.py, core/imports): the largest file read, the most
# data rows, how long an uploaded file waits for its confirmation (core/uploads.py, `purge_uploads`).
IMPORT_MAX_BYTES: int = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS: int = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_UPLOAD_MAX_AGE: int = env.int("IMPORT_UPLOAD_MAX_AGE", default=60 * 60)
# Where the file locks that serialise imports live on SQLite (PostgreSQL uses advisory locks): core/locks.py.
IMPORT_LOCK_DIR = env.path("IMPORT_LOCK_DIR", default=str(Path(MEDIA_ROOT) / "locks"))
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# Long work leaves the request: an import preview or confirmation of a file of IMPORT_BACKGROUND_BYTES or
# more, and a grading recompute of a county with RECOMPUTE_BACKGROUND_ASSOCIATIONS or more active
# associations, runs as a background task (core/tasks.py) while the page shows its progress; smaller ones
# stay in the request. The queue is a database table (django-tasks-db); `manage.py db_worker` runs it
# (`make run` starts one beside the development server). TASKS_BACKEND may name django-tasks'
# "django_tasks.backends.immediate.ImmediateBackend" to run every task inside the request, without a worker.
IMPORT_BACKGROUND_BYTES: int = env.int("IMPORT_BACKGROUND_BYTES", default=256 * 1024)
RECOMPUTE_BACKGROUND_ASSOCIATIONS: int = env.int("RECOMPUTE_BACKGROUND_ASSOCIATIONS", default=2000)
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The county this deployment serves; pages and imports default to it.
PORTAL_COUNTY: str = env.str("PORTAL_COUNTY", default="苗栗縣")
PORTAL_TITLE = _("社區發展工作管理平台")

PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # Sign-in successes, failures and lockouts (core/auth.py); propagates to the root's console handler.
    "loggers": {"portal.security": {"level": env.str("SECURITY_LOG_LEVEL", default="INFO")}},
}


# --- HTTP and sessions (issue 11, item 6) -------------------------------------------------------------------
# Kept in one block so other branches' settings edits merge around it.

# With DEBUG off the portal refuses to start on the development key, or on any key Django itself calls weak
# (security.W009: the "django-insecure-" prefix, under 50 characters or under 5 distinct ones): sessions and
# password-reset links are signed with it, so a public key would let anyone forge them. This runs whenever the
# settings load: gunicorn, runserver and every manage.py command. Tests set their key in pyproject.toml.
if not DEBUG and (
    SECRET_KEY.startswith("django-insecure-") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or weak while DEBUG is off. Set SECRET_KEY to a long random value, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))', "
        "or set DEBUG=1 on a development machine."
    )

# Content-Security-Policy (django-csp 4): nothing inline, everything from the portal's own origin. Scripts
# live in static/js/ and are loaded with <script src>; the Django admin needs no relaxation. (The report
# address is not kept as a CSP_* setting: django-csp takes those for its old settings format and stops.)
csp_report_uri: str = env.str("CSP_REPORT_URI", default="")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"report-uri": [csp_report_uri]} if csp_report_uri else {}),
    }
}
# Browser features the portal never uses, switched off for every page (core.middleware).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# A login ends after SESSION_IDLE_TIMEOUT seconds without a request, and in any case SESSION_COOKIE_AGE
# seconds after it began (core.middleware.IdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT: int = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
if SESSION_IDLE_TIMEOUT < 60:
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT must be at least 60 seconds.")

INSTALLED_APPS += ["csp"]
# Behind WhiteNoise, so static files keep their long-lived caching; every other response gets the headers.
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
]
# --- end of HTTP and sessions -------------------------------------------------------------------------------

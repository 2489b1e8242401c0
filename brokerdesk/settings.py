"""BrokerDesk settings: one module, every deployment value read from the environment."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from brokerdesk.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("BROKERDESK_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("BROKERDESK_DEBUG", False)
SECRET_KEY = env_str("BROKERDESK_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        # Outside DEBUG a secret must be given; tests and the demo set DEBUG or a key.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("BROKERDESK_SECRET_KEY must be set when BROKERDESK_DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env_list("BROKERDESK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("BROKERDESK_CSRF_TRUSTED_ORIGINS", [])

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
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "brokerdesk.core",
    "brokerdesk.org",
    "brokerdesk.access",
    "brokerdesk.approvals",
    "brokerdesk.planning",
    "brokerdesk.attendance",
    "brokerdesk.worklogs",
    "brokerdesk.meetings",
    "brokerdesk.clients",
    "brokerdesk.performance",
    "brokerdesk.people",
    "brokerdesk.assets",
    "brokerdesk.archives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "brokerdesk.urls"
WSGI_APPLICATION = "brokerdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "brokerdesk.access.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default (one branch, one machine); PostgreSQL via DATABASE_URL
# is the firm-wide path. SQLite is tuned for a morning check-in burst: WAL lets readers
# run beside the writer, the busy timeout waits instead of failing with "database is
# locked", and IMMEDIATE transactions take the write lock up front so two writers never
# deadlock upgrading a read lock.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("BROKERDESK_SQLITE_PATH", str(DATA_DIR / "brokerdesk.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env_int("BROKERDESK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("BROKERDESK_AXES_ENABLED", True)

SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("BROKERDESK_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("BROKERDESK_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("BROKERDESK_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BROKERDESK_HSTS_INCLUDE_SUBDOMAINS", True)
# The HSTS preload list is for public sites; an intranet host name cannot be on it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents live outside the web root and are served only through views that
# check the user's scope (there is deliberately no MEDIA_URL route).
MEDIA_ROOT = Path(env_str("BROKERDESK_MEDIA_ROOT", str(DATA_DIR / "files")))
MEDIA_URL = "/files-not-served/"
UPLOAD_MAX_BYTES = env_int("BROKERDESK_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Contracts and practitioner registrations are warned this many days before they end (第十九条).
PEOPLE_EXPIRY_WARN_DAYS = env_int("BROKERDESK_EXPIRY_WARN_DAYS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "brokerdesk.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "brokerdesk.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BrokerDesk API",
    "DESCRIPTION": "证券营销团队管理平台 API. Every endpoint applies the caller's scope.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StaffStatusEnum": "brokerdesk.org.models.Staff.Status",
        "TeamStatusEnum": "brokerdesk.org.models.Team.Status",
        "PlanStatusEnum": "brokerdesk.planning.models.PlanStatus",
        "RequestStatusEnum": "brokerdesk.approvals.models.Request.Status",
        "TaskStatusEnum": "brokerdesk.approvals.models.Task.Status",
        "CorrectiveActionStatusEnum": "brokerdesk.planning.models.CorrectiveAction.Status",
        "AttendanceWorkflowEnum": "brokerdesk.attendance.models.Workflow",
        "AssetCategoryEnum": "brokerdesk.assets.models_assets.Asset.Category",
        "AssetStatusEnum": "brokerdesk.assets.models_assets.Asset.Status",
        "LedgerKindEnum": "brokerdesk.assets.models_assets.LedgerLine.Kind",
        "LedgerPlaceEnum": "brokerdesk.assets.models_assets.LedgerLine.Place",
        "MoveKindEnum": "brokerdesk.assets.serializers_assets.MOVE_KINDS",
        "IncidentKindEnum": "brokerdesk.assets.models_assets.Incident.Kind",
        "IncidentStatusEnum": "brokerdesk.assets.models_assets.Incident.Status",
        "HandoverKindEnum": "brokerdesk.assets.models_handover.Handover.Kind",
        "HandoverStatusEnum": "brokerdesk.assets.models_handover.Handover.Status",
        "HandoverLineKindEnum": "brokerdesk.assets.models_handover.HandoverLine.Kind",
        "HandoverLineStatusEnum": "brokerdesk.assets.models_handover.HandoverLine.Status",
        "HandoverDispositionEnum": "brokerdesk.assets.models_handover.HandoverLine.Disposition",
        "ClientNotifiedHowEnum": "brokerdesk.assets.models_handover.HandoverLine.Notified",
        "HandoverEventKindEnum": "brokerdesk.assets.models_handover.HandoverEvent.Kind",
        "CandidateStatusEnum": "brokerdesk.people.models_recruitment.Candidate.Status",
        "CandidateSourceEnum": "brokerdesk.people.models_recruitment.Candidate.Source",
        "CandidateDecisionEnum": "brokerdesk.people.models_recruitment.Candidate.Decision",
        "ProbationResultEnum": "brokerdesk.people.models_recruitment.Candidate.ProbationResult",
        "DocumentCheckEnum": "brokerdesk.people.models_recruitment.CandidateDocument.Check",
        "TrainingCategoryEnum": "brokerdesk.people.models_training.TrainingProgramme.Category",
        "TrainingResultEnum": "brokerdesk.people.models_training.TrainingAttendance.Result",
        "DocumentCheckResultEnum": ["authentic", "doubtful"],
        "ProbationOutcomeEnum": ["passed", "failed"],
        "SpotCheckResultEnum": "brokerdesk.worklogs.models.Result",
    },
}

# Modules that add their own demo records after the organisation (seed_demo).
BROKERDESK_DEMO_EXTENSIONS = [
    "brokerdesk.planning.demo.build",
    "brokerdesk.attendance.demo.build",
    "brokerdesk.worklogs.demo.build",
    "brokerdesk.clients.demo.build",
    "brokerdesk.performance.demo.build",
    "brokerdesk.people.demo.build",
    "brokerdesk.archives.demo.build",
    "brokerdesk.assets.demo.build",
]

# Filter drop-downs offer "all" rather than Django's dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# --- History --------------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "brokerdesk.security": {"handlers": ["console"], "level": "INFO"},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}

# Background work (imports, pay runs) goes through Django's task API; the database backend
# needs no other service. `bin/demo` starts a worker (`brokerdesk db_worker`) beside the web
# server; more workers on more machines against PostgreSQL is the scale path.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

"""One settings file, driven by the environment (12-factor). Every variable is in docs/configuration.md."""

import importlib.util
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from linli.core.secrets import ensure_local_secrets

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_json_object(name: str) -> dict[str, str]:
    """A JSON object of strings, e.g. '{"login_code": "SMS_123"}'; a malformed one stops start-up
    (a typo would otherwise show only when the first message fails)."""
    try:
        value = json.loads(env(name, "{}"))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object, e.g. {{"login_code": "..."}}')
    return {str(key): str(item) for key, item in value.items()}


VAR_DIR = Path(env("LINLI_VAR_DIR", str(BASE_DIR / "var")))
# Production passes both secrets in; the embedded default keeps them in var/ (created once).
_local = None if env("LINLI_SECRET_KEY") and env("LINLI_KEYRING") else ensure_local_secrets(VAR_DIR)

# Prometheus metrics (docs/operations.md, "Monitoring"): every process of this machine writes its
# counters into this directory, and a scrape of any web process adds them up. prometheus_client
# chooses that mode once, when first imported: nothing may import it before this line.
LINLI_METRICS_DIR = Path(env("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "metrics")))
LINLI_METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(LINLI_METRICS_DIR)
# The bearer token Prometheus sends to /metrics; unset, /metrics does not exist (404).
LINLI_METRICS_TOKEN = env("LINLI_METRICS_TOKEN")
# /api/v1/health reports degraded once the oldest waiting task or the most overdue periodic job
# is this late (seconds).
LINLI_HEALTH_QUEUE_AGE_SECONDS = float(env("LINLI_HEALTH_QUEUE_AGE_SECONDS", "300"))
LINLI_HEALTH_SCHEDULER_LAG_SECONDS = float(env("LINLI_HEALTH_SCHEDULER_LAG_SECONDS", "300"))

SECRET_KEY = env("LINLI_SECRET_KEY") or _local.secret_key
LINLI_KEYRING = env("LINLI_KEYRING") or str(_local.keyring_path)
DEBUG = env_bool("LINLI_DEBUG", False)
# Loopback names are always accepted, so a health check or a console script on the machine itself
# (curl http://127.0.0.1:8000/api/v1/health) works whatever public names are configured. Only a
# process on the machine (or the proxy in front, which passes the public Host) can reach them.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = list(
    dict.fromkeys(env_list("LINLI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") + LOOPBACK_HOSTS)
)


def _default_public_url() -> str:
    """Where `linli serve` listens, as a browser reaches it: follows LINLI_HOST and LINLI_PORT."""
    host = env("LINLI_HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{host}]' if ':' in host else host}:{env('LINLI_PORT', '8000')}"


# The one public address: pass issuers (`iss`), share and SMS links, and the trusted CSRF origin
# all derive from it, so they cannot disagree with each other or with the port actually served.
LINLI_PUBLIC_URL = (env("LINLI_PUBLIC_URL") or _default_public_url()).rstrip("/")
_public_origin = "/".join(LINLI_PUBLIC_URL.split("/")[:3])  # scheme://host[:port], no path
CSRF_TRUSTED_ORIGINS = env_list("LINLI_CSRF_TRUSTED_ORIGINS", _public_origin)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "linli.core",
    "linli.accounts",
    "linli.channels",
    "linli.registry",
    "linli.access",
    "linli.grid",
    "linli.billing",
    "linli.workorders",
    "linli.iot",
    "linli.engage",
    "linli.services",
    "linli.parking",
    "linli.dashboards",
    "linli.notify",
    "linli.web",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "linli.core.middleware.RequestIdMiddleware",
    "linli.core.monitoring.requests.RequestMetricsMiddleware",
    "linli.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linli.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "linli.urls"
# Each web process serves request/response views on this many threads (each keeps a database
# connection), and refuses new requests with 503 once this many wait for or hold one.
LINLI_WEB_THREADS = int(env("LINLI_WEB_THREADS", "8"))
LINLI_WEB_QUEUE = int(env("LINLI_WEB_QUEUE", "256"))
LINLI_BODY_TIMEOUT_SECONDS = float(env("LINLI_BODY_TIMEOUT_SECONDS", "30"))
# A client must finish sending its request line and headers within this time (slow clients);
# the web server closes the connection otherwise.
LINLI_HEADER_TIMEOUT_SECONDS = float(env("LINLI_HEADER_TIMEOUT_SECONDS", "10"))
# Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (the reverse proxy), comma-separated.
LINLI_FORWARDED_ALLOW_IPS = env("LINLI_FORWARDED_ALLOW_IPS", "127.0.0.1")
ASGI_APPLICATION = "linli.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"

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
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'linli.sqlite3'}")
# Persistent connections: opening one (and, on SQLite, its PRAGMAs) cost more than a whole
# read. Each web thread keeps its own; a broken one is noticed before reuse (health checks).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(env("LINLI_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout
    # instead of one failing with "database is locked" halfway through.
    # linli.core.sqlite: the threads of a process queue for the write lock (see its docstring).
    DATABASES["default"]["ENGINE"] = "linli.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file in WAL mode, as production does: browser tests read through the live
    # server while the test writes, and an in-memory database (shared cache, table locks, no busy
    # timeout) fails such a pair at random with "database table is locked".
    DATABASES["default"]["TEST"] = {"NAME": env("LINLI_TEST_SQLITE", "") or str(VAR_DIR / "test.sqlite3")}

# A PostgreSQL read replica (docs/operations.md, "Read replica"): only the big screen, the
# government view and the reports read from it (linli.core.dbrouter), and never after the request
# wrote. Unset, everything reads and writes the one database. Tests point it at the primary's
# test database (MIRROR).
LINLI_REPLICA_URL = env("LINLI_REPLICA_URL")
DATABASE_ROUTERS: list[str] = []
if LINLI_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        LINLI_REPLICA_URL,
        conn_max_age=int(env("LINLI_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("LINLI_REPLICA_URL must be a postgres:// URL: a standby of DATABASE_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["linli.core.dbrouter.ReplicaRouter"]
# /api/v1/health reports degraded once the replica replays this late (seconds).
LINLI_HEALTH_REPLICA_LAG_SECONDS = float(env("LINLI_HEALTH_REPLICA_LAG_SECONDS", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Unique constraints with nulls_distinct=False are enforced on PostgreSQL; on SQLite the services
# check the same rule before writing.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = env("LINLI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Every page's scripts, styles, images and connections come from this site: no inline script or
# event handler, no inline style, no eval (htmx runs with allowEval off), no framing.
LINLI_CONTENT_SECURITY_POLICY = env(
    "LINLI_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("LINLI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Strict-Transport-Security on HTTPS answers (the proxy must pass X-Forwarded-Proto, see install.md).
# 0 sends none; start small (300) and raise to a year (31536000) once HTTPS works everywhere.
SECURE_HSTS_SECONDS = int(env("LINLI_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LINLI_HSTS_INCLUDE_SUBDOMAINS", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LINLI_MAX_UPLOAD_BYTES = int(env("LINLI_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# The largest request body the server accepts (an import sheet or a photo, plus the form around it);
# a larger one is refused from its Content-Length before it is read (linli.core.edge).
LINLI_MAX_REQUEST_BYTES = int(env("LINLI_MAX_REQUEST_BYTES", str(LINLI_MAX_UPLOAD_BYTES + 1024 * 1024)))
LINLI_IMPORT_MAX_ROWS = int(env("LINLI_IMPORT_MAX_ROWS", "200000"))

# The task queue (docs/operations.md, "Task queue: database or Redis"): the database by default;
# Redis (the `redis` extra) through django-tasks-rq, with the database queue taking any task Redis
# does not (linli.core.redis_queue), so that the database is still what every worker drains.
LINLI_TASKS_BACKEND = env("LINLI_TASKS_BACKEND", "database")
LINLI_REDIS_URL = env("LINLI_REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "redis": "linli.core.redis_queue.RedisBackend",
        }[LINLI_TASKS_BACKEND],
        "OPTIONS": {"fallback": "database"} if LINLI_TASKS_BACKEND == "redis" else {},
    }
}
if LINLI_TASKS_BACKEND == "redis":
    if importlib.util.find_spec("django_tasks_rq") is None:
        raise ImproperlyConfigured(
            "LINLI_TASKS_BACKEND=redis needs the redis extra: pip install -e '.[redis]'"
        )
    TASKS["database"] = {"BACKEND": "django_tasks_db.DatabaseBackend"}
    INSTALLED_APPS.append("django_rq")  # its `rqworker` command runs the Redis queue
# A Redis that does not answer must not hold a request's thread for the kernel's TCP timeout:
# redis-py reads these from the URL; the RQ worker raises the read timeout for its blocking pop.
RQ_QUEUES = {
    "default": {
        "URL": LINLI_REDIS_URL
        + ("&" if "?" in LINLI_REDIS_URL else "?")
        + "socket_connect_timeout=2&socket_timeout=5"
    }
}
RQ = {"QUEUE_CLASS": "linli.core.redis_queue.SharedConnectionQueue"}  # one client per process

EMAIL_BACKEND = env("LINLI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# SMS (docs/channels.md): the console provider prints each text (the demo's). Naming gateways in
# LINLI_SMS_GATEWAYS sends through them instead, in that order: the next takes over when one is
# down. Each gateway's keys, signature (签名) and template ids per message kind come from here only.
LINLI_SMS_GATEWAYS = env_list("LINLI_SMS_GATEWAYS", "")
LINLI_SMS_PROVIDER = env(
    "LINLI_SMS_PROVIDER",
    "linli.notify.sms_gateways.failover.FailoverSmsProvider"
    if LINLI_SMS_GATEWAYS
    else "linli.notify.sms.ConsoleSmsProvider",
)
# A gateway that has not answered by then counts as down (a sign-in code must not wait long).
LINLI_SMS_TIMEOUT_SECONDS = float(env("LINLI_SMS_TIMEOUT_SECONDS", "5"))
LINLI_SMS_ALIYUN_ACCESS_KEY_ID = env("LINLI_SMS_ALIYUN_ACCESS_KEY_ID")
LINLI_SMS_ALIYUN_ACCESS_KEY_SECRET = env("LINLI_SMS_ALIYUN_ACCESS_KEY_SECRET")
LINLI_SMS_ALIYUN_SIGN_NAME = env("LINLI_SMS_ALIYUN_SIGN_NAME")
LINLI_SMS_ALIYUN_TEMPLATES = env_json_object("LINLI_SMS_ALIYUN_TEMPLATES")
LINLI_SMS_ALIYUN_ENDPOINT = env("LINLI_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com")
# The last part of the receipt URL entered in the gateway's console (/hooks/sms/aliyun/<secret>).
LINLI_SMS_ALIYUN_RECEIPT_SECRET = env("LINLI_SMS_ALIYUN_RECEIPT_SECRET")
LINLI_SMS_TENCENT_SECRET_ID = env("LINLI_SMS_TENCENT_SECRET_ID")
LINLI_SMS_TENCENT_SECRET_KEY = env("LINLI_SMS_TENCENT_SECRET_KEY")
LINLI_SMS_TENCENT_SDK_APP_ID = env("LINLI_SMS_TENCENT_SDK_APP_ID")
LINLI_SMS_TENCENT_SIGN_NAME = env("LINLI_SMS_TENCENT_SIGN_NAME")
LINLI_SMS_TENCENT_TEMPLATES = env_json_object("LINLI_SMS_TENCENT_TEMPLATES")
LINLI_SMS_TENCENT_REGION = env("LINLI_SMS_TENCENT_REGION", "ap-guangzhou")
LINLI_SMS_TENCENT_ENDPOINT = env("LINLI_SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com")
LINLI_SMS_TENCENT_RECEIPT_SECRET = env("LINLI_SMS_TENCENT_RECEIPT_SECRET")
# Fee reminders (FEE-4): no reminder in quiet hours (local time), at most N per household and
# channel a calendar month, at least so many days apart (linli/billing/services/reminders.py).
LINLI_BILLING_REMINDER_QUIET_HOURS = env("LINLI_BILLING_REMINDER_QUIET_HOURS", "21:00-08:00")
LINLI_BILLING_REMINDERS_PER_MONTH = int(env("LINLI_BILLING_REMINDERS_PER_MONTH", "2"))
LINLI_BILLING_REMINDER_GAP_DAYS = int(env("LINLI_BILLING_REMINDER_GAP_DAYS", "7"))

# LINLI_LOG_FORMAT=json: each line one JSON object with the request's id (linli.core.monitoring.logs);
# otherwise the plain message.
LINLI_LOG_FORMAT = env("LINLI_LOG_FORMAT", "plain")
if LINLI_LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LINLI_LOG_FORMAT must be plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "linli.core.monitoring.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "linli.core.monitoring.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LINLI_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LINLI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Server-sent events: how often a stream polls the outbox, heartbeats, and when it ends itself
# (the client reconnects with Last-Event-ID, and a revoked login stops receiving).
LINLI_SSE_POLL_SECONDS = float(env("LINLI_SSE_POLL_SECONDS", "1"))
LINLI_SSE_HEARTBEAT_SECONDS = float(env("LINLI_SSE_HEARTBEAT_SECONDS", "15"))
LINLI_SSE_MAX_SECONDS = float(env("LINLI_SSE_MAX_SECONDS", "300"))
# Open streams one user may hold per server process (a phone, a desktop and a few tabs).
LINLI_SSE_MAX_STREAMS_PER_USER = int(env("LINLI_SSE_MAX_STREAMS_PER_USER", "6"))
# PostgreSQL: how long the event stream waits for an outbox id handed out to a transaction that has
# not committed yet before it goes on without it (linli/notify/feed.py; a rollback never fills it).
LINLI_SSE_GAP_GRACE_SECONDS = float(env("LINLI_SSE_GAP_GRACE_SECONDS", "5"))

# Online payment (docs/billing.md, "Online payment …"): which providers this installation offers,
# and each merchant account. The sandbox needs nothing: its keys are generated into var/.
LINLI_PAY_PROVIDERS = env_list("LINLI_PAY_PROVIDERS", "sandbox")
LINLI_PAY_ORDER_MINUTES = int(env("LINLI_PAY_ORDER_MINUTES", "30"))
# After paying a temporary parking fee, how long a driver has to reach the exit barrier.
LINLI_PARKING_EXIT_GRACE_MINUTES = int(env("LINLI_PARKING_EXIT_GRACE_MINUTES", "15"))
LINLI_WECHATPAY_MCHID = env("LINLI_WECHATPAY_MCHID")
LINLI_WECHATPAY_APPID = env("LINLI_WECHATPAY_APPID")
LINLI_WECHATPAY_SERIAL = env("LINLI_WECHATPAY_SERIAL")
LINLI_WECHATPAY_KEY_FILE = env("LINLI_WECHATPAY_KEY_FILE")
LINLI_WECHATPAY_APIV3_KEY = env("LINLI_WECHATPAY_APIV3_KEY")
LINLI_WECHATPAY_PLATFORM_KEYS = env_list("LINLI_WECHATPAY_PLATFORM_KEYS", "")
LINLI_WECHATPAY_BASE_URL = env("LINLI_WECHATPAY_BASE_URL", "https://api.mch.weixin.qq.com")
# WeChat (docs/channels.md, "WeChat"): the official account (公众号) residents sign in with from
# WeChat's browser and receive template messages from, and the mini-program (小程序). Off until an
# AppID and its secret are set; the secrets come from the environment only.
LINLI_WECHAT_APPID = env("LINLI_WECHAT_APPID")
LINLI_WECHAT_SECRET = env("LINLI_WECHAT_SECRET")
LINLI_WECHAT_MINI_APPID = env("LINLI_WECHAT_MINI_APPID")
LINLI_WECHAT_MINI_SECRET = env("LINLI_WECHAT_MINI_SECRET")
# snsapi_base asks the resident nothing and gives the openid, all that sign-in needs.
LINLI_WECHAT_OAUTH_SCOPE = env("LINLI_WECHAT_OAUTH_SCOPE", "snsapi_base")
LINLI_WECHAT_API_URL = env("LINLI_WECHAT_API_URL", "https://api.weixin.qq.com")
LINLI_WECHAT_AUTHORIZE_URL = env(
    "LINLI_WECHAT_AUTHORIZE_URL", "https://open.weixin.qq.com/connect/oauth2/authorize"
)
# Which message kinds go out as template messages (official account) or subscription messages
# (mini-program), as JSON: {"billing.issued": {"id": "<template id>", "fields": {"thing1": "title"}}}.
LINLI_WECHAT_TEMPLATES = env("LINLI_WECHAT_TEMPLATES", "{}")
LINLI_WECHAT_SUBSCRIBE_TEMPLATES = env("LINLI_WECHAT_SUBSCRIBE_TEMPLATES", "{}")
LINLI_ALIPAY_APP_ID = env("LINLI_ALIPAY_APP_ID")
LINLI_ALIPAY_KEY_FILE = env("LINLI_ALIPAY_KEY_FILE")
LINLI_ALIPAY_PUBLIC_KEY_FILE = env("LINLI_ALIPAY_PUBLIC_KEY_FILE")
LINLI_ALIPAY_GATEWAY = env("LINLI_ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do")

# Staff messages through WeCom and DingTalk (docs/channels.md, "Staff messages"): each community
# chooses its channel in the console; a WeCom corp shared by all communities may be given here
# instead, and a community's blank WeCom fields fall back to it. The base URLs are for tests.
LINLI_WECOM_CORP_ID = env("LINLI_WECOM_CORP_ID")
LINLI_WECOM_AGENT_ID = env("LINLI_WECOM_AGENT_ID")
LINLI_WECOM_SECRET = env("LINLI_WECOM_SECRET")
LINLI_WECOM_BASE_URL = env("LINLI_WECOM_BASE_URL", "https://qyapi.weixin.qq.com")
LINLI_DINGTALK_BASE_URL = env("LINLI_DINGTALK_BASE_URL", "https://oapi.dingtalk.com")

# Devices (docs/devices.md): the broker the ingest worker (`linli ingest`) subscribes to, e.g.
# mqtt://127.0.0.1:1883; without one, devices post to the HTTP ingest. Raw readings are kept
# LINLI_IOT_RAW_DAYS, their hourly aggregates LINLI_IOT_AGGREGATE_DAYS.
LINLI_MQTT_URL = env("LINLI_MQTT_URL", "")
LINLI_IOT_RAW_DAYS = int(env("LINLI_IOT_RAW_DAYS", "7"))
LINLI_IOT_AGGREGATE_DAYS = int(env("LINLI_IOT_AGGREGATE_DAYS", "365"))
# Car chargers connect over OCPP 1.6J to `linli ocpp` on this port (`linli serve` starts it once
# a car charger is registered).
LINLI_OCPP_PORT = int(env("LINLI_OCPP_PORT", "9000"))

# Retention of the tables partitioned by month on PostgreSQL (docs/operations.md, "Partitions
# and retention"): whole months of access events and audit entries older than this many months
# are dropped; 0 keeps them all (the default: how long is the operator's policy to set).
LINLI_ACCESS_EVENT_MONTHS = int(env("LINLI_ACCESS_EVENT_MONTHS", "0"))
LINLI_AUDIT_MONTHS = int(env("LINLI_AUDIT_MONTHS", "0"))

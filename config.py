"""Configuration classes. Entry points pick one; `FORUM_*` environment variables override any key."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def _development_secret() -> str:
    """A per-checkout random key, kept under instance/ so sessions survive restarts."""
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'kotae.db'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")

    LANGUAGES = ["en", "ja"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Reputation needed for each privilege: Stack Overflow's thresholds ("standard") or the "small" community preset;
    # PRIVILEGE_THRESHOLDS overrides single values, e.g. {"create_tags": 100}.
    PRIVILEGE_PRESET = os.environ.get("PRIVILEGE_PRESET", "standard")
    PRIVILEGE_THRESHOLDS: dict = {}
    # Reputation amounts (Stack Overflow's defaults), e.g. {"daily_cap": 300}; see forum/services/reputation/ledger.py.
    REPUTATION_RULES: dict = {}
    # Badge thresholds (Stack Overflow's defaults), e.g. {"nice_answer": 5}; see forum/services/reputation/badges.py.
    BADGE_THRESHOLDS: dict = {}
    DAILY_VOTE_LIMIT = 40

    QUESTIONS_PER_PAGE = 20
    USERS_PER_PAGE = 36
    TAGS_PER_PAGE = 60

    # Flask-Limiter. Counters are shared by every worker and server: by default in a table of the forum's own
    # database (PostgreSQL) or a SQLite file beside the embedded one (forum/ratelimit_store.py); set
    # RATELIMIT_STORAGE_URI=redis://host:6379/0 for Redis, or memory:// for per-process counters.
    RATELIMIT_ENABLED = _env_flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins only (forum/login_throttle.py): from one address; against one account from one address (short,
    # so an attacker locks out his own address, not the user); against one account from all addresses.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT", "5 per 5 minutes")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "30 per 15 minutes")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per hour")
    POST_RATE_LIMIT = os.environ.get("POST_RATE_LIMIT", "6 per minute;60 per hour")
    COMMENT_RATE_LIMIT = os.environ.get("COMMENT_RATE_LIMIT", "10 per minute;100 per hour")
    VOTE_RATE_LIMIT = os.environ.get("VOTE_RATE_LIMIT", "30 per minute")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute;3000 per hour")  # per token, else per address

    # Behind a reverse proxy: how many proxies in front of the app set X-Forwarded-For / -Proto. The client address
    # (for rate limits and the sessions list) is taken that many hops from the right; 0 trusts no header.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", os.environ.get("PROXY_FIX_X_FOR", "0")))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Sessions live on the server (user_sessions): logout, a password change or a suspension ends them at once.
    # A session unused for this many days is refused even if a "remember me" cookie still names it.
    SESSION_MAX_IDLE_DAYS = int(os.environ.get("SESSION_MAX_IDLE_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=SESSION_MAX_IDLE_DAYS)
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session; long answers take time to write

    # --- Accounts: password reset, e-mail verification, privacy requests (forum/services/people/) ---
    # Seconds a password-reset link works (it also stops once used, or after any password or address change).
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    # Seconds a link confirming an e-mail address (at sign-up, or a new address from the settings) works.
    EMAIL_VERIFICATION_MAX_AGE = int(os.environ.get("EMAIL_VERIFICATION_MAX_AGE", str(3 * 24 * 3600)))
    # Unverified accounts may read and ask, but get no e-mail notifications or digests until verified.
    REQUIRE_VERIFIED_EMAIL_FOR_MAIL = _env_flag("REQUIRE_VERIFIED_EMAIL_FOR_MAIL", True)
    # "Forgot your password?" requests: per address asking (IP) and per e-mail address typed.
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "10 per hour")
    PASSWORD_RESET_ADDRESS_RATE_LIMIT = os.environ.get("PASSWORD_RESET_ADDRESS_RATE_LIMIT", "3 per hour")
    # Verification e-mails a signed-in member can have sent ("resend", a new address in the settings).
    VERIFICATION_EMAIL_RATE_LIMIT = os.environ.get("VERIFICATION_EMAIL_RATE_LIMIT", "3 per hour")
    # Attempts at "Delete my account" (each checks the password).
    ACCOUNT_DELETE_RATE_LIMIT = os.environ.get("ACCOUNT_DELETE_RATE_LIMIT", "5 per 15 minutes")

    # --- Single sign-on with the company's identity provider (OpenID Connect; forum/sso.py) ---
    # Off while OIDC_ISSUER is empty. The provider's settings come from <issuer>/.well-known/openid-configuration;
    # register <SITE>/sso/callback as the redirect URI there. See "Single sign-on" in the README.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")  # the button says "Sign in with <name>"
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
    OIDC_TIMEOUT = 10  # seconds for each call to the provider (discovery, keys, token)
    # A first sign-in with no account to link to creates one; off: only existing (or linked) members get in.
    OIDC_CREATE_ACCOUNTS = _env_flag("OIDC_CREATE_ACCOUNTS", True)
    # Passwords off: no password form, sign-up or password reset; everyone signs in through the provider.
    OIDC_SSO_ONLY = _env_flag("OIDC_SSO_ONLY", False)
    # In SSO-only mode administrators may still sign in with their password at /login?password=1 (break-glass,
    # for when the provider is down); off: nobody can.
    OIDC_ADMIN_PASSWORDS = _env_flag("OIDC_ADMIN_PASSWORDS", True)
    # Roles from a claim (ID token or userinfo), applied at each sign-in: OIDC_ROLE_MAP lists group=role pairs,
    # e.g. "support-staff=moderator,admins=admin". The roles it names are then the provider's to give and take
    # (OIDC_ROLE_DOWNGRADE=0 only ever gives); roles it does not name are left as they are.
    OIDC_ROLE_CLAIM = os.environ.get("OIDC_ROLE_CLAIM", "groups")
    OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", "")
    OIDC_ROLE_DOWNGRADE = _env_flag("OIDC_ROLE_DOWNGRADE", True)

    # --- Images in posts (forum/storage.py, forum/services/community/images.py; "Images" in the README) ---
    # Uploads are checked, re-encoded with Pillow and stored under a name made of their SHA-256 (content-addressed).
    # "local": files in UPLOAD_FOLDER (default: <instance>/uploads); "s3": a bucket of any S3-compatible service.
    UPLOAD_STORAGE = os.environ.get("UPLOAD_STORAGE", "local")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(2 * 1024 * 1024)))
    UPLOAD_MAX_SIDE = int(os.environ.get("UPLOAD_MAX_SIDE", "4096"))  # pixels, width and height each
    UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", str(16_000_000)))  # width x height: no bombs
    UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "10 per minute;60 per hour")
    UPLOAD_S3_BUCKET = os.environ.get("UPLOAD_S3_BUCKET", "")
    UPLOAD_S3_PREFIX = os.environ.get("UPLOAD_S3_PREFIX", "uploads/")
    UPLOAD_S3_ENDPOINT_URL = os.environ.get("UPLOAD_S3_ENDPOINT_URL", "")  # e.g. https://s3.example.com (MinIO, R2)
    UPLOAD_S3_REGION = os.environ.get("UPLOAD_S3_REGION", "")
    # Empty: boto3 finds credentials itself (AWS_* variables, ~/.aws, an instance role).
    UPLOAD_S3_ACCESS_KEY_ID = os.environ.get("UPLOAD_S3_ACCESS_KEY_ID", "")
    UPLOAD_S3_SECRET_ACCESS_KEY = os.environ.get("UPLOAD_S3_SECRET_ACCESS_KEY", "")

    # --- FAQ (official answers, candidates, promotion) ---
    # Reputation given (through the ledger, once per answer) when an answer is first published as an FAQ entry.
    FAQ_PROMOTION_BONUS = 25
    # When a thread shows up in /faq/candidates; see forum/services/faq/candidates.py.
    FAQ_CANDIDATE_RULES: dict = {"min_question_score": 3, "min_answer_score": 3, "min_age_days": 2}
    FAQ_CANDIDATES_PER_PAGE = 30

    # --- Outcome feedback ---
    FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "20 per minute")

    # --- Moderation (flags, review, suspensions) ---
    FLAG_HIDE_THRESHOLD = 3  # pending spam or rude flags that hide a post until staff review it
    FLAG_RATE_LIMIT = os.environ.get("FLAG_RATE_LIMIT", "10 per minute;50 per day")
    REVIEW_PER_PAGE = 20
    AUDIT_PER_PAGE = 50

    # --- Closing, locking, edits by others ---
    # Votes of users with the close privilege that close (or reopen) a question; staff act at once.
    CLOSE_VOTES_NEEDED = 3
    SUGGESTED_EDITS_PER_PAGE = 20

    # --- Inbox and e-mail ---
    # E-mail is off until MAIL_SERVER is set (e.g. FORUM_MAIL_SERVER=smtp.example.com). Mail is written in the
    # request's transaction and sent after the commit by a background thread; `flask mail send` sends what is
    # left (cron), `flask mail digest` sends the daily digests (cron, once a day).
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False  # STARTTLS on MAIL_PORT
    MAIL_USE_SSL = False  # SMTP over TLS from the first byte (usually port 465)
    # A bare address is sent with the site's name (the branding, in BABEL_DEFAULT_LOCALE) as the display name;
    # "Name <address>" is used as written.
    MAIL_DEFAULT_SENDER = "noreply@localhost"
    MAIL_TIMEOUT = 10  # seconds per SMTP connection
    MAIL_MAX_ATTEMPTS = 5
    MAIL_RETRY_DELAY = 60  # seconds before the first retry; doubles after each failure
    SITE_URL = "http://127.0.0.1:5000"  # for absolute links in e-mail
    INBOX_PER_PAGE = 30

    # --- Webhooks, support hours, guidelines ---
    # Outgoing chat alerts (forum/services/outreach/webhooks.py): HTTP timeout per delivery, attempts before giving
    # up, and the retry backoff (base * 2**(attempt-1) seconds, capped). Deliveries are sent by a per-process thread
    # after the commit; the periodic jobs below retry them and scan for unanswered questions.
    WEBHOOK_TIMEOUT = 5
    WEBHOOK_MAX_ATTEMPTS = 5
    WEBHOOK_RETRY_BASE_SECONDS = 30
    WEBHOOK_RETRY_MAX_SECONDS = 3600
    WEBHOOK_SENDER_THREAD = _env_flag("WEBHOOK_SENDER_THREAD", True)  # off: only the cron job sends
    WEBHOOK_LOCALE = None  # language of alert texts; None: BABEL_DEFAULT_LOCALE
    # `question.unanswered` fires once a question has waited this many support (business) hours without an answer.
    UNANSWERED_ALERT_BUSINESS_HOURS = 4
    # Periodic jobs (forum/jobs.py) run in the web processes: alerts scan, webhook retries, e-mail, daily digest.
    # SCHEDULER_ENABLED=0 leaves them to cron (`flask jobs run`).
    SCHEDULER_ENABLED = _env_flag("SCHEDULER_ENABLED", True)
    SCHEDULER_TICK_SECONDS = 30
    ALERTS_SCAN_SECONDS = 300
    DIGEST_HOUR_UTC = 22  # 07:00 in Tokyo

    # --- Search index health ---
    # The search pages compare the index's document counts with the database's, at most once per this many
    # seconds; an index found missing or emptied shows a notice and (SEARCH_AUTO_REBUILD) is rebuilt in the
    # background by one worker, at most once per SEARCH_REBUILD_COOLDOWN seconds. See forum/search/completeness.py.
    SEARCH_HEALTH_SECONDS = 30
    SEARCH_AUTO_REBUILD = _env_flag("SEARCH_AUTO_REBUILD", True)
    SEARCH_REBUILD_COOLDOWN = 600

    # --- Search engines ---
    # Decoded postings each process keeps (both backends): the common words every search brings back. About
    # 5 million postings per 64 MiB; at 1,000,000 threads several hundred MiB (README, "1,000,000 threads").
    SEARCH_POSTINGS_CACHE_MB = 64
    # Links per question sitemap (/sitemaps/questions-<n>.xml): each page covers this many post ids, so holds at
    # most this many questions; 50,000 is the sitemap protocol's limit per file.
    SITEMAP_PAGE_SIZE = 50_000

    # --- Branding (forum/services/branding.py) ---
    # Where the uploaded logo and favicons are kept (re-encoded PNGs named by their content); default
    # instance/uploads/brand. With several servers, point every server at one shared directory.
    BRAND_UPLOAD_DIR = os.environ.get("BRAND_UPLOAD_DIR", "")

    # --- Visitors' pages from a cache (forum/page_cache.py) ---
    # Anonymous GETs of threads, lists, tag, FAQ and search pages are kept in a shared cache and dropped as soon
    # as what they show changes. PAGE_CACHE_URI: empty keeps them in files under PAGE_CACHE_DIR (default
    # instance/page-cache), shared by the gunicorn workers of one server; redis://host:6379/1 shares them (and
    # their invalidation) between servers, which several servers need; memory:// is for one process only.
    PAGE_CACHE_ENABLED = _env_flag("PAGE_CACHE_ENABLED", True)
    PAGE_CACHE_URI = os.environ.get("PAGE_CACHE_URI", "")
    PAGE_CACHE_DIR = os.environ.get("PAGE_CACHE_DIR", "")
    PAGE_CACHE_KEY_PREFIX = "kotae:pages:"  # in Redis; give each site sharing one Redis database its own
    # Seconds a stored page lives at most: the bound for what no change record names (a member's reputation
    # beside a post, "3 minutes ago", a view count).
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "30"))
    # Cache-Control s-maxage: seconds a reverse proxy may serve a visitor's page without asking (it hears of no
    # change, so this is how stale a page behind the proxy can be). Browsers always revalidate (a 304 is cheap).
    PAGE_CACHE_PROXY_SECONDS = int(os.environ.get("PAGE_CACHE_PROXY_SECONDS", "5"))
    PAGE_CACHE_THRESHOLD = 2000  # pages kept at most by the file and memory stores (Redis: its own maxmemory)

    # --- Dashboard and voice of the customer ---


class DevelopmentConfig(Config):
    def __init__(self) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing keeps the suite quick; never in production
    WEBHOOK_SENDER_THREAD = False  # no background sends in tests unless a test turns it on (and runs a receiver)
    SCHEDULER_ENABLED = False  # tests run jobs explicitly
    SEARCH_AUTO_REBUILD = False  # tests rebuild the index themselves unless a test turns this on


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in the environment for production")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """The configuration named by FORUM_ENV (development by default)."""
    name = os.environ.get("FORUM_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"FORUM_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None

"""Configuration read from the TRACKER_* environment variables (SPEC 5b)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret(instance_path: str, variable: str, file_name: str) -> str:
    """Use the environment variable, else a random key kept in the instance folder.

    Keeping the generated key on disk means sessions (and the audit chain) survive a
    restart of a development server without anyone having to invent a secret.
    Production sets the variables, and keeps the audit key away from the database.
    """
    key = os.environ.get(variable)
    if key:
        return key
    path = Path(instance_path) / file_name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    except FileExistsError:  # another process made it a moment ago
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


def load_config(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "tracker.db")
    redis_url = env.get("TRACKER_REDIS_URL") or None
    smtp_port = env.get("TRACKER_SMTP_PORT") or "25"
    base_url = (env.get("TRACKER_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return {
        "SECRET_KEY": _kept_secret(instance_path, "TRACKER_SECRET_KEY", "secret_key"),
        # The audit chain's HMAC key: whoever holds it can rewrite the trail, so it lives
        # outside the database (tracker.audit.chain).
        "AUDIT_KEY": _kept_secret(instance_path, "TRACKER_AUDIT_KEY", "audit_key"),
        "AUDIT_ANCHOR_DIR": env.get("TRACKER_AUDIT_ANCHOR_DIR") or str(Path(instance_path) / "audit-anchors"),
        "SQLALCHEMY_DATABASE_URI": env.get("TRACKER_DATABASE_URL") or default_db,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SMTP_HOST": env.get("TRACKER_SMTP_HOST") or "localhost",
        "SMTP_PORT": int(smtp_port) if smtp_port.isdigit() else 25,
        "SMTP_USER": env.get("TRACKER_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("TRACKER_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag(env.get("TRACKER_SMTP_STARTTLS")),
        "MAIL_FROM": env.get("TRACKER_MAIL_FROM") or "contracts@tracker.invalid",
        "BASE_URL": base_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # If Redis goes away, limits go on per process rather than failing every request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": bool(redis_url),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Cookies never reach scripts and leave only with this site's own links; web.security
        # adds Secure when BASE_URL is https.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # The cookie's own life; the server ends remembered sessions 14 days after sign-in
        # whatever the browser keeps (tracker.people.sessions).
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        # Per API token, shared through Redis when set (tracker.api.limits); "off" disables each.
        "API_RATE_LIMIT": (env.get("TRACKER_API_RATE_LIMIT") or "1200/minute").strip(),
        "API_UPLOAD_LIMIT": (env.get("TRACKER_API_UPLOAD_LIMIT") or "100 MB/hour").strip(),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # werkzeug's scrypt: costly on purpose. Only the test suite names a cheaper one, so that
        # its thousand test users do not each pay a third of a second.
        "PASSWORD_HASH_METHOD": "scrypt",
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ("fr", "en"),
        "PAGE_SIZE": 25,
    }

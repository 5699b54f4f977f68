"""Configuration read from the TRACKER_* environment variables (SPEC 5b)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: str) -> str:
    """Use TRACKER_SECRET_KEY, else a random key kept in the instance folder.

    Keeping the generated key on disk means sessions survive a restart of a
    development server without anyone having to invent a secret.
    """
    key = os.environ.get("TRACKER_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "tracker.db")
    redis_url = env.get("TRACKER_REDIS_URL") or None
    smtp_port = env.get("TRACKER_SMTP_PORT") or "25"
    base_url = (env.get("TRACKER_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return {
        "SECRET_KEY": _secret_key(instance_path),
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
        "RATELIMIT_HEADERS_ENABLED": True,
        # Cookies never reach scripts and leave only with this site's own links; web.security
        # adds Secure when BASE_URL is https.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ("fr", "en"),
        "PAGE_SIZE": 25,
    }

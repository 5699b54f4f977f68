"""The rules a chosen password must meet, and hashing it.

At least 12 characters and at most 128, so a passphrase fits; not one of the common
passwords shipped beside this module, nor one of them padded with digits or symbols
("Password2026!"), repeated, or a run of keys or digits; not the person's e-mail, nor the demo
password that the README and `seed-demo` print for everyone to read.
Length matters more than character classes, so none are demanded.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

PUBLISHED = frozenset({"fasttrack-demo"})  # tracker.demo.parties.DEMO_PASSWORD: printed for all to see
MIN_LENGTH = 12
MAX_LENGTH = 128
LIST = Path(__file__).with_name("common_passwords.txt")
_PADDING = re.compile(r"^(.*?)[\d\W_]*$")
_RUNS = ("0123456789012345678901234567890", "9876543210987654321098765432109",
         "abcdefghijklmnopqrstuvwxyzabcdefghij", "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_common(password: str, email: str | None) -> bool:
    lowered = password.lower()
    common = common_passwords()
    stem = _PADDING.match(lowered).group(1)
    if lowered in common or stem in common or lowered in PUBLISHED or stem in PUBLISHED or len(set(lowered)) <= 2:
        return True
    for size in range(1, len(lowered) // 2 + 1):  # the same few characters over and over
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return True
    if any(lowered in run for run in _RUNS):
        return True
    if email:
        local = email.lower().partition("@")[0]
        if lowered in (email.lower(), local) or (len(local) >= 4 and stem == local):
            return True
    return False


def password_problem(password, email: str | None = None) -> str | None:
    """Why this password may not be used, in words for the person choosing it; None when it is fine."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    if _is_common(password, email):
        return str(_l("This password is too common or too easy to guess; choose another, for example a few "
                      "unrelated words."))
    return None


def hash_password(password: str) -> str:
    """The stored form of a password, with the configured method (scrypt outside the test suite)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def matches(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password or "")

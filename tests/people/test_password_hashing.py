"""Passwords are stored with scrypt; only the test suite's own app names a cheaper method."""
from __future__ import annotations

from tracker import create_app
from tracker.people.passwords import hash_password, matches


def test_the_application_stores_passwords_with_scrypt(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "k"})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        stored = hash_password("a long enough passphrase")
    assert stored.startswith("scrypt:") and matches(stored, "a long enough passphrase")
    assert not matches(stored, "another passphrase")


def test_the_suite_uses_a_cheaper_method_that_still_checks(app):
    with app.app_context():
        stored = hash_password("a long enough passphrase")
    assert stored.startswith("pbkdf2:") and matches(stored, "a long enough passphrase")
    assert not matches(stored, "a long enough passphrasE")

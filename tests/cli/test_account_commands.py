"""users disable / enable and tokens revoke: what they end, what they audit, and one-line errors."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.web import PASSWORD, csrf_token
from tracker.extensions import db
from tracker.models import ApiToken, AuditEntry, User


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def _flask(app, *args):
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], PYTHONPATH=os.getcwd())
    return subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def _signed_in_browser(app, email):
    browser = app.test_client()
    token = csrf_token(browser, "/login")
    browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "remember": "y"})
    assert browser.get("/account/tokens").status_code == 200
    return browser


def test_disable_as_a_process_ends_sessions_and_tokens_and_enable_lets_the_person_back(app, make_user, api,
                                                                                         token_for, cli):
    email = make_user("legal", "GR")
    browser = _signed_in_browser(app, email)
    program = api(email)
    assert program.get("/contracts").status_code == 200
    audit_before = _count(app, AuditEntry)

    done = _flask(app, "users", "disable", "--email", email.upper())
    assert done.returncode == 0 and done.stdout.strip() == f"Disabled {email}: sessions and tokens ended.", done.stderr
    assert browser.get("/account/tokens").status_code == 302
    assert program.get("/contracts").status_code == 401
    with app.app_context():
        assert db.session.execute(db.select(User.active).where(User.email == email)).scalar() is False
    assert _count(app, AuditEntry) == audit_before + 2  # the user, and the token it revoked

    again = cli("users", "disable", "--email", email)
    assert again.exit_code == 1 and again.output.strip() == f"Error: {email} is already disabled."
    enabled = cli("users", "enable", "--email", email)
    assert enabled.exit_code == 0 and enabled.output.strip() == f"Enabled {email}."
    assert _signed_in_browser(app, email)
    assert program.get("/contracts").status_code == 401  # tokens stay revoked
    assert cli("users", "enable", "--email", email).output.strip() == f"Error: {email} is already enabled."


def test_revoke_one_token_by_prefix_or_all_of_them(app, make_user, api, token_for, cli):
    email = make_user("legal", "GR")
    first, second, third = token_for(email), token_for(email), token_for(email)
    done = cli("tokens", "revoke", "--email", email, "--prefix", first[:12])
    assert done.exit_code == 0 and done.output.strip() == f"Revoked 1 token(s) of {email}.", done.output
    assert api().get("/health").status_code == 200
    statuses = []
    for token in (first, second, third):
        client = api()
        client.session.headers["Authorization"] = f"Bearer {token}"
        statuses.append(client.get("/contracts").status_code)
    assert statuses == [401, 200, 200]
    everything = cli("tokens", "revoke", "--email", email, "--all")
    assert everything.exit_code == 0 and everything.output.strip() == f"Revoked 2 token(s) of {email}."
    with app.app_context():
        assert all(row.revoked_at for row in db.session.execute(db.select(ApiToken)).scalars())
        revoked = db.session.execute(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "api_token", AuditEntry.field == "revoked_at")).scalar()
    assert revoked == 3
    # Without an option, as the interface contract spells it, every valid token goes.
    token_for(email), token_for(email)
    plain = cli("tokens", "revoke", "--email", email)
    assert plain.exit_code == 0 and plain.output.strip() == f"Revoked 2 token(s) of {email}."
    assert cli("tokens", "revoke", "--email", email).output.strip() == f"Revoked 0 token(s) of {email}."


@pytest.mark.parametrize("args, message", [
    (["users", "disable", "--email", "ghost@nowhere.example"], "Error: No user with the e-mail ghost@nowhere.example"),
    (["users", "enable", "--email", "ghost@nowhere.example"], "Error: No user with the e-mail ghost@nowhere.example"),
    (["tokens", "revoke", "--email", "ghost@nowhere.example", "--all"], "Error: No user with the e-mail"),
    (["tokens", "revoke", "--email", "{user}", "--all", "--prefix", "ftk_abcdefgh"],
     "Error: give either --prefix P or --all, not both."),
    (["tokens", "revoke", "--email", "{user}", "--prefix", "ftk_zzzzzzzz"], "has no valid token starting with ftk_zzzzzzzz"),
    (["tokens", "revoke", "--email", "{user}", "--prefix", "ftk"], "has no valid token starting with ftk"),
])
def test_bad_arguments_fail_with_one_error_line_and_change_nothing(app, make_user, token_for, cli, args, message):
    email = make_user("legal", "GR")
    token_for(email)
    before = _count(app, AuditEntry)
    result = cli(*[a.replace("{user}", email) for a in args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _count(app, AuditEntry) == before
    with app.app_context():
        assert db.session.execute(db.select(ApiToken.revoked_at)).scalar() is None


def test_a_failing_command_as_a_process_says_error_and_exits_one(app):
    done = _flask(app, "tokens", "revoke", "--email", "ghost@nowhere.example", "--all")
    assert done.returncode == 1 and done.stderr.strip() == "Error: No user with the e-mail ghost@nowhere.example."


def test_a_token_made_on_the_command_line_can_have_a_lifetime(app, make_user, cli, api):
    from datetime import timedelta

    from tracker.database import utcnow

    email = make_user("legal", "GR")
    made = cli("tokens", "create", "--email", email, "--days", "7")
    assert made.exit_code == 0 and made.output.startswith("ftk_")
    with app.app_context():
        expires_at = db.session.execute(db.select(ApiToken.expires_at)).scalar_one()
        assert timedelta(days=6, hours=23) < expires_at - utcnow() <= timedelta(days=7)
    for bad in ("0", "seven", "100000"):
        refused = cli("tokens", "create", "--email", email, "--days", bad)
        assert refused.exit_code == 2 and "Invalid value for '--days'" in refused.output, bad
    assert _count(app, ApiToken) == 1
    unlimited = cli("tokens", "create", "--email", email)
    assert unlimited.exit_code == 0
    with app.app_context():
        assert db.session.execute(db.select(ApiToken.expires_at).order_by(ApiToken.id.desc())).scalar() is None

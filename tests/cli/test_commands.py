"""The commands of SPEC 5b: good arguments do their job, bad ones say why in one line."""
import os
import subprocess
import sys

import pytest

from tracker.extensions import db
from tracker.models import ApiToken, AuditEntry, Contract, Sponsor, User


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_init_db_is_idempotent(cli, app):
    first = cli("init-db")
    second = cli("init-db")
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "0 site(s) added" in second.output


def test_sponsors_users_and_tokens(cli, app, api):
    created = cli("sponsors", "create", "--name", "Borealis Pharma GmbH", "--country", "DE")
    assert created.exit_code == 0
    sponsor_id = int(created.output.strip())
    with app.app_context():
        assert db.session.get(Sponsor, sponsor_id).country == "DE"
    user = cli("users", "create", "--email", "Laura@Borealis.example", "--name", "Laura", "--role", "sponsor",
               "--sponsor", "Borealis Pharma GmbH", "--password", "a-long-password")
    assert user.exit_code == 0, user.output
    token = cli("tokens", "create", "--email", "laura@borealis.example")
    assert token.exit_code == 0
    lines = token.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftk_")
    with app.app_context():
        stored = db.session.execute(db.select(ApiToken)).scalar_one()
        assert lines[0] not in stored.token_hash  # only the hash is kept
    client = api()
    client.session.headers["Authorization"] = f"Bearer {lines[0]}"
    assert client.get("/contracts").json()["contracts"] == []


@pytest.mark.parametrize("args, message", [
    (["users", "create", "--email", "a@b.example", "--name", "A", "--role", "boss", "--password", "a-long-password"],
     "Unknown role boss"),
    (["users", "create", "--email", "a@b.example", "--name", "A", "--role", "legal", "--site", "XX",
      "--password", "a-long-password"], "Unknown site XX"),
    (["users", "create", "--email", "a@b.example", "--name", "A", "--role", "sponsor", "--sponsor", "Nobody",
      "--password", "a-long-password"], "Unknown sponsor Nobody"),
    (["users", "create", "--email", "not-an-email", "--name", "A", "--role", "admin", "--password", "a-long-password"],
     "valid e-mail"),
    (["users", "create", "--email", "a@b.example", "--name", "A", "--role", "admin", "--password", "short"],
     "at least 10 characters"),
    (["users", "create", "--email", "a@b.example", "--name", "A", "--role", "legal",
      "--password", "a-long-password"], "need a site"),
    (["users", "create", "--email", "a@b.example", "--name", "Ann\x1b[2JLee", "--role", "admin",
      "--password", "a-long-password"], "Contains a control or invalid character"),
    (["users", "create", "--email", "a@b.example", "--name", "Ann\x07", "--role", "admin",
      "--password", "a-long-password"], "Contains a control or invalid character"),
    (["tokens", "create", "--email", "ghost@nowhere.example"], "No user with the e-mail ghost@nowhere.example"),
    (["sponsors", "create", "--name", "X", "--country", "France"], "two-letter ISO country code"),
    (["seed-demo", "--contracts", "-3"], "Invalid value"),
])
def test_bad_arguments_fail_with_one_line_and_store_nothing(cli, app, args, message):
    users_before, audit_before = _count(app, User), _count(app, AuditEntry)
    result = cli(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert _count(app, User) == users_before and _count(app, AuditEntry) == audit_before


def test_duplicate_user_is_refused(cli, app, make_user):
    email = make_user("legal", "GR")
    result = cli("users", "create", "--email", email, "--name", "Again", "--role", "legal", "--site", "GR",
                 "--password", "a-long-password")
    assert result.exit_code == 1 and "already exists" in result.output


def test_seed_demo_builds_every_stage_and_prints_logins(cli, app, builtin_templates):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    for email in ("admin@tracker.example", "manager.gr@tracker.example", "legal.ib@tracker.example",
                  "sponsor@novacure.example"):
        assert email in result.output
    assert "fasttrack-demo" in result.output
    from tracker.models import Track

    with app.app_context():
        stages = set(db.session.execute(db.select(Track.stage)).scalars())
        assert {"completeness", "awaiting_documents", "review", "with_sponsor", "signature", "executed",
                "cancelled", "waiting_coordinator", "conformity"} <= stages
        assert db.session.execute(db.select(db.func.count(Contract.id))).scalar() == 13
        # twelve agreements, and an amendment of the executed one, whose trial is authorised and open
        amendment = db.session.execute(db.select(Contract).where(Contract.amends_id.is_not(None))).scalar_one()
        parent = amendment.amends
        assert parent.status == "executed" and amendment.reference == parent.reference + "-A1"
        assert amendment.coordinating_track.stage == "review"
        assert parent.ctis_submitted_on and parent.authorised_on and parent.coordinating_track.activated_on
        # the demo agreements are filled whole: generated for signing, never drafts with blanks
        from tests.helpers.docx_text import all_text
        from tracker.models import Document

        documents = db.session.execute(db.select(Document).where(Document.kind == "generated")).scalars().all()
        assert documents and not any(document.draft for document in documents)
        agreed = db.session.execute(db.select(db.func.count(Track.id)).where(
            Track.stage.in_(("signature", "executed")))).scalar()
        assert len(documents) >= agreed
        for document in documents:
            text = all_text(document.content)
            assert "None" not in text and "R. 1121-3-1" in text and "{{" not in text
        # each version fixed for signature has its PDF kept, and each executed site its executed agreement
        from tracker.documents.preview import soffice
        from tracker.models.signing import DocumentPdf, ExecutedAgreement, FixedVersion

        if soffice():
            fixed = db.session.execute(db.select(FixedVersion)).scalars().all()
            assert fixed
            for version in fixed:
                kept = db.session.get(DocumentPdf, version.document_id)
                assert kept is not None and kept.source_sha256 == version.sha256 and kept.content.startswith(b"%PDF-")
            executed = db.session.execute(db.select(db.func.count(Track.id)).where(Track.stage == "executed")).scalar()
            assert db.session.execute(db.select(db.func.count(ExecutedAgreement.id))).scalar() == executed > 0
    again = cli("seed-demo")
    assert again.exit_code == 0
    with app.app_context():  # running it twice adds nothing
        assert db.session.execute(db.select(db.func.count(Contract.id))).scalar() == 13
    assert cli("audit", "anchor").exit_code == 0  # as the scheduler does every few minutes
    assert cli("audit", "verify").exit_code == 0


def test_a_real_process_exits_non_zero_without_traceback(app):
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "users", "create", "--email",
                           "x@y.example", "--name", "X", "--role", "wizard", "--password", "a-long-password"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert "Error: role: Unknown role wizard" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout

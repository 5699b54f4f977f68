"""Shared fixtures: a real database (SQLite file or PostgreSQL), a live server, factories.

Set TRACKER_TEST_DATABASE_URL to run the suite against PostgreSQL; otherwise it
uses a fresh SQLite file. Run in parallel (``-n``), each worker has its own database, built
beside the given one (tests/helpers/workers.py). The schema is built by the real migrations. What the tests share that is
not a fixture (the test password, form tokens, API client...) is in tests/helpers/.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from tests.helpers.web import PASSWORD, Api, csrf_token
from tests.helpers.workers import create_worker_database, drop_worker_database, worker_database
from tracker import audit, create_app
from tracker.extensions import db
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.people.operations import create_sponsor, create_user
from tracker.people.tokens import create_token
from tracker.seeding import seed_reference_data
from tracker.timeutil import local_date


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    given = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if given:  # PostgreSQL: each parallel worker on its own database beside the one given
        url = worker_database(given)
        create_worker_database(given, url)
    else:  # under the worker's own temporary directory
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker.db")
    # The audit key and anchor log of the test database, for this process and the commands it starts.
    os.environ["TRACKER_AUDIT_KEY"] = "test-audit-key"
    os.environ["TRACKER_AUDIT_ANCHOR_DIR"] = str(tmp_path_factory.mktemp("audit-anchors"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://tracker.test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # the real scrypt is tested in tests/people
        "SEAL_DEV_P12": str(tmp_path_factory.mktemp("seal") / "seal-dev.p12"),
    })
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    if given:
        drop_worker_database(given, url)


@pytest.fixture(autouse=True)
def clean_db(app):
    """Each test starts with the partner sites only, and no per-process cache from an earlier test."""
    from tracker.api import answers
    from tracker.metrics import hourly
    from tracker.sla import medians, policy

    policy.clear_cache()
    medians.clear_cache()
    answers.clear_cache()
    hourly.clear_cache()
    with app.app_context():
        seed_reference_data(now=datetime.now(timezone.utc), templates=False)
        db.session.commit()
    yield
    from tracker.audit.anchors import log_path

    log_path(app.config["AUDIT_ANCHOR_DIR"]).unlink(missing_ok=True)  # anchors of the rows deleted below
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                # DELETE, children first, and the sequences set back to 1 in two round trips: a TRUNCATE
                # of every table costs a new file per table, over a second per test.
                conn.exec_driver_sql("; ".join(f'DELETE FROM "{table}"' for table in tables))
                sequences = conn.exec_driver_sql("SELECT schemaname, sequencename FROM pg_sequences").all()
                if sequences:
                    conn.exec_driver_sql("SELECT " + ", ".join(f"setval('\"{schema}\".\"{name}\"', 1, false)"
                                                               for schema, name in sequences))
            else:
                for table in tables:  # children first, so foreign keys hold
                    conn.exec_driver_sql(f"DELETE FROM {table}")


@pytest.fixture
def builtin_templates(app):
    """The shipped agreements, stored as templates as init-db does."""
    from tracker.documents.library import ensure_builtin_templates

    with app.app_context():
        ensure_builtin_templates(now=datetime.now(timezone.utc))
        db.session.commit()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def server(app):
    """The app served over real HTTP on a loopback port, in a thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def now() -> datetime:
    """The current time, taken once per test: the factories' default and what tests compare with."""
    return datetime.now(timezone.utc)


@pytest.fixture
def make_sponsor(app, now):
    def make(name="Novacure Oncology SA", country="FR", *, now=now, **identity):
        with app.app_context():
            sponsor = create_sponsor({"name": name, "country": country, **identity}, actor=audit.SYSTEM, now=now)
            db.session.commit()
            return sponsor.id
    return make


@pytest.fixture
def make_user(app, now):
    counter = iter(range(1, 10_000))

    def make(role="legal", site="GR", sponsor=None, email=None, language=None, *, now=now):
        n = next(counter)
        email = email or f"{role}{n}@{(site or 'sponsor').lower()}.test"
        with app.app_context():
            create_user({"email": email, "name": f"{role.title()} {n}", "role": role,
                         "site": site if role != "sponsor" and role != "admin" else None,
                         "sponsor": sponsor, "password": PASSWORD, "language": language},
                        actor=audit.SYSTEM, now=now)
            db.session.commit()
        return email
    return make


@pytest.fixture
def token_for(app, now):
    def make(email, *, now=now):
        from tracker.people.operations import find_user_by_email

        with app.app_context():
            token = create_token(find_user_by_email(email), actor=audit.SYSTEM, now=now)
            db.session.commit()
            return token
    return make


@pytest.fixture
def make_contract(app, now):
    """Create a contract as of ``now`` (the test's clock unless given), received 30 days before it."""
    def make(sponsor_id, *, coordinating="GR", sites=("GR", "IB"), received_on=None, now=now, **extra):
        today = local_date(now)
        with app.app_context():
            data = {"sponsor_id": sponsor_id, "title": "A phase I trial", "protocol_number": "PRO-001",
                    "phase": "I", "coordinating_site": coordinating, "sites": list(sites),
                    "received_on": (received_on or today - timedelta(days=30)).isoformat(), **extra}
            draft = parse_contract(data, today=today)
            contract = create_contract(draft, actor=audit.SYSTEM, now=now)
            db.session.commit()
            return contract.reference
    return make


@pytest.fixture
def api(server, token_for):
    def make(email=None):
        return Api(server, token_for(email) if email else None)
    return make


@pytest.fixture
def login(client):
    """Sign a user in through the real sign-in form."""
    def sign_in(email, password=PASSWORD):
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return sign_in

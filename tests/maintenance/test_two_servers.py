"""Two app servers against one PostgreSQL, as production runs them (issue 14's several servers).

Two gunicorn instances on different ports, each with its own working folder (no shared disk),
share only the database, the secret key and Redis. A person signed in on one is signed in on the
other, a file uploaded through one is served by the other, a sign-out on one ends the session on
both, and failed sign-ins count against the same limit whichever server they reach. That a second
scheduler sends nothing twice is shown by tests/alerts/test_scheduler.py with real processes.
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
import requests

from tests.helpers.web import Browser
from tests.helpers.workers import redis_url as worker_redis_url

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = worker_redis_url(1)
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {url}: {exc}")
    yield url
    client.flushdb()


@pytest.fixture
def two_servers(app, redis_url, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("several app servers share a PostgreSQL database: run with TRACKER_TEST_DATABASE_URL")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    if gunicorn is None:
        pytest.skip("gunicorn is not installed")
    started = []
    for name in ("a", "b"):
        home = tmp_path / name
        home.mkdir()
        port = _port()
        env = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY="shared-secret",
                   TRACKER_AUDIT_KEY=os.environ["TRACKER_AUDIT_KEY"], TRACKER_REDIS_URL=redis_url,
                   TRACKER_AUDIT_ANCHOR_DIR=str(home / "anchors"), TRACKER_BASE_URL=f"http://127.0.0.1:{port}",
                   PYTHONPATH=str(ROOT))
        log = open(home / "gunicorn.log", "w+")
        process = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(home),
                                    "tracker:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log, f"http://127.0.0.1:{port}"))
    try:
        for process, log, base in started:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(base + "/api/v1/health", timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                log.seek(0)
                assert process.poll() is None and time.monotonic() < deadline, log.read()
                time.sleep(0.3)
        yield [base for _process, _log, base in started]
    finally:
        for process, log, _base in started:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.seek(0)
            text = log.read()
            log.close()
            assert "Traceback" not in text, text


def _redline() -> bytes:
    document = docx.Document()
    document.add_paragraph("Article 1 - The sponsor proposes a shorter payment term.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_session_and_a_document_from_one_server_work_on_the_other(two_servers, make_sponsor, make_user,
                                                                     make_contract, token_for):
    first, second = two_servers
    sponsor = make_sponsor()
    legal = make_user("legal", "GR")
    reference = make_contract(sponsor)
    person = Browser(first).sign_in(legal)
    elsewhere = Browser(second)
    elsewhere.session.cookies.update(person.session.cookies)
    page = elsewhere.get(f"/contracts/{reference}")
    assert page.status_code == 200 and reference in page.text

    sponsor_user = make_user("sponsor", None, sponsor="Novacure Oncology SA")
    token = token_for(sponsor_user)
    stored = requests.post(f"{first}/api/v1/contracts/{reference}/documents/upload",
                           headers={"Authorization": f"Bearer {token}"}, data={"site": "GR"},
                           files={"file": ("redline.docx", _redline())}, timeout=60)
    assert stored.status_code == 201, stored.text
    served = requests.get(f"{second}/api/v1/documents/{stored.json()['id']}/content",
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert served.status_code == 200 and served.content == _redline_bytes_of(stored, first, token)

    signed_out = elsewhere.post("/logout", data={"csrf_token": elsewhere.token(f"/contracts/{reference}")})
    assert signed_out.status_code == 302
    again = person.get(f"/contracts/{reference}")
    assert again.status_code == 302 and "/login" in again.headers["Location"]


def _redline_bytes_of(stored, base: str, token: str) -> bytes:
    """The bytes the first server serves for the upload (the same as the second, if both read the database)."""
    answer = requests.get(f"{base}/api/v1/documents/{stored.json()['id']}/content",
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert answer.status_code == 200
    return answer.content


def test_failed_sign_ins_count_against_one_limit_on_both_servers(two_servers, make_user):
    """Four workers on two servers: per-process counting would let about four times as many through."""
    first, second = two_servers
    legal = make_user("legal", "GR")
    attempts = 0
    refused = None
    while attempts < 40 and refused is None:
        base = (first, second)[attempts % 2]
        person = Browser(base)
        answer = person.post("/login", data={"email": legal, "password": "not the password",
                                             "csrf_token": person.token("/login")})
        attempts += 1
        if answer.status_code == 429:
            refused = attempts
        else:
            assert answer.status_code == 422, answer.text[:300]
    assert refused is not None and refused <= 11, f"first refusal after {refused} attempts"
    for base in (first, second):
        person = Browser(base)
        answer = person.post("/login", data={"email": legal, "password": "correct horse battery",
                                             "csrf_token": person.token("/login")})
        assert answer.status_code == 429

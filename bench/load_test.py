"""Load test: mixed traffic against gunicorn on loopback, with the scheduler running.

    .venv/bin/python bench/load_test.py [--engine sqlite|postgresql] [--contracts 400]
                                        [--users 12] [--duration 120] [--write]

Builds a throwaway database with demo data, starts a loopback SMTP sink, gunicorn with two
workers and one scheduler process, and runs locust headless (bench/load/locustfile.py) for a
bounded time. Then it checks what users rely on: no request failed, every accepted event and
upload is stored exactly once (none lost, none extra), the event sequence of every touched
track has no gap or repeat, the audit chain verifies, and no process logged a traceback.
It prints the latency per kind of request and, with --write, puts it in BENCHMARKS.md.
Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(engine: str, work: Path) -> tuple[str, callable]:
    if engine == "sqlite":
        return f"sqlite:///{work / 'load.db'}", lambda: None
    from sqlalchemy import create_engine, text

    base = os.environ.get("LOAD_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
    name = f"tracker_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return f"{base}/{name}", drop


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / "flask"), "--app", "tracker", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _plan(env: dict, users: int, path: Path) -> dict:
    """Who each simulated person is, and the contracts only they move."""
    os.environ.update(env)
    from tracker import audit, create_app
    from tracker.demo.parties import DEMO_PASSWORD
    from tracker.extensions import db
    from tracker.models import Contract, Site, Track, User
    from tracker.people.tokens import create_token

    app = create_app()
    now = datetime.now(timezone.utc)
    with app.app_context():
        def token(user):
            return create_token(user, actor=audit.SYSTEM, now=now)

        staff_slots = []
        legal = db.session.execute(db.select(User).where(User.role == "legal").order_by(User.id)).scalars().all()
        movable = {}
        for user in legal:
            rows = db.session.execute(
                db.select(Contract.reference).join(Track, Track.contract_id == Contract.id)
                .where(Track.site_id == user.site_id, Track.role == "coordinating",
                       Track.stage.in_(("review", "with_sponsor"))).order_by(Contract.id)).scalars().all()
            movable[user.id] = list(rows)
        slots = max(1, users)  # at most every simulated person is staff
        for index in range(slots):
            user = legal[index % len(legal)]
            share = movable[user.id][index // len(legal)::max(1, -(-slots // len(legal)))]
            if share:
                staff_slots.append({"email": user.email, "site": user.site.code, "token": token(user),
                                    "contracts": share})
        sponsor_slots = []
        for user in db.session.execute(db.select(User).where(User.role == "sponsor").order_by(User.id)).scalars():
            rows = db.session.execute(
                db.select(Contract.reference, Track.site_id).join(Track, Track.contract_id == Contract.id)
                .where(Contract.sponsor_id == user.sponsor_id, Track.role == "coordinating",
                       Track.stage.notin_(("executed", "cancelled"))).order_by(Contract.id)).all()
            codes = {s.id: s.code for s in db.session.execute(db.select(Site)).scalars()}
            if rows:
                sponsor_slots.append({"email": user.email, "token": token(user),
                                      "contracts": [[r.reference, codes[r.site_id]] for r in rows[:40]]})
        db.session.commit()
    plan = {"password": DEMO_PASSWORD, "staff": staff_slots, "sponsors": sponsor_slots}
    path.write_text(json.dumps(plan))
    return plan


def _baseline(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        values = {"event": conn.execute(text("SELECT coalesce(max(id), 0) FROM events")).scalar(),
                  "document": conn.execute(text("SELECT coalesce(max(id), 0) FROM documents")).scalar()}
    engine.dispose()
    return values


def _check(url: str, before: dict, log: Path) -> list[str]:
    """What went wrong: lost or extra events and uploads, and gaps in the touched tracks' sequences."""
    from sqlalchemy import create_engine, text

    accepted = {"event": [], "upload": []}
    for line in log.read_text().splitlines():
        row = json.loads(line)
        accepted[row["kind"]].append(row["id"])
    engine = create_engine(url)
    problems = []
    with engine.connect() as conn:
        stored_events = [r[0] for r in conn.execute(
            text("SELECT id FROM events WHERE id > :b AND action IN ('send_to_sponsor', 'sponsor_replied')"),
            {"b": before["event"]})]
        stored_uploads = [r[0] for r in conn.execute(
            text("SELECT id FROM documents WHERE id > :b AND kind = 'redline'"), {"b": before["document"]})]
        for kind, stored in (("event", stored_events), ("upload", stored_uploads)):
            wanted, got = accepted[kind], stored
            if len(set(wanted)) != len(wanted):
                problems.append(f"the same {kind} id was answered twice")
            lost, extra = set(wanted) - set(got), set(got) - set(wanted)
            if lost:
                problems.append(f"{len(lost)} accepted {kind}(s) not stored: {sorted(lost)[:10]}")
            if extra:
                problems.append(f"{len(extra)} {kind}(s) stored without an accepted request: {sorted(extra)[:10]}")
        gaps = conn.execute(text(
            "SELECT track_id, count(*), count(DISTINCT seq), min(seq), max(seq) FROM events "
            "WHERE track_id IN (SELECT track_id FROM events WHERE id > :b) GROUP BY track_id"),
            {"b": before["event"]}).all()
        for track_id, count, distinct, low, high in gaps:
            if count != distinct or high - low + 1 != count:
                problems.append(f"track {track_id}: event sequence has a gap or a repeat")
    engine.dispose()
    return problems, {k: len(v) for k, v in accepted.items()}


def _stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def _table(rows: list[dict]) -> str:
    lines = ["| request | count | failures | median ms | p95 ms | p99 ms | req/s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**all requests**" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} | "
                     f"{row['99%']} | {float(row['Requests/s']):.1f} |")
    return "\n".join(lines)


def _write(section: str, engine: str) -> None:
    """Replace this engine's load-test section of BENCHMARKS.md (or add it at the end)."""
    start, end = f"<!-- load test {engine}: start -->", f"<!-- load test {engine}: end -->"
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contracts", type=int, default=400)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--duration", type=int, default=120, help="seconds of traffic")
    parser.add_argument("--write", action="store_true", help="put the results in BENCHMARKS.md")
    args = parser.parse_args()
    if shutil.which("locust", path=str(BIN)) is None:
        print("Error: locust is not installed; pip install -e '.[load]'", file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="tracker-load-"))
    url, drop = _database(args.engine, work)
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 OK"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=_free_port())
    smtp.start()
    port = _free_port()
    env = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY="load-test-secret",
               TRACKER_AUDIT_KEY="load-test-audit-key", TRACKER_AUDIT_ANCHOR_DIR=str(work / "anchors"),
               TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=str(smtp.port),
               TRACKER_MAIL_FROM="contracts@tracker.test", TRACKER_BASE_URL=f"http://127.0.0.1:{port}",
               LOAD_PLAN=str(work / "plan.json"), LOAD_LOG=str(work / "accepted.jsonl"))
    processes = []
    try:
        started = time.monotonic()
        _flask(env, "init-db")
        _flask(env, "seed-demo", "--contracts", str(args.contracts))
        print(f"data: {args.contracts} demo contracts on {args.engine} in {time.monotonic() - started:.0f} s")
        plan = _plan(env, args.users, work / "plan.json")
        (work / "accepted.jsonl").touch()
        before = _baseline(url)
        logs = {name: open(work / f"{name}.log", "w+") for name in ("gunicorn", "scheduler", "locust")}
        processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "tracker:create_app()"],
            env=env, cwd=ROOT, stdout=logs["gunicorn"], stderr=subprocess.STDOUT))
        processes.append(subprocess.Popen([str(BIN / "flask"), "--app", "tracker", "scheduler"], env=env, cwd=ROOT,
                                          stdout=logs["scheduler"], stderr=subprocess.STDOUT))
        import requests

        for _ in range(150):
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("Error: gunicorn did not answer /api/v1/health")
        prefix = work / "locust"
        command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
                   "-u", str(args.users), "-r", str(max(1, args.users // 4)), "-t", f"{args.duration}s",
                   "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                   "--stop-timeout", "10"]
        subprocess.run(command, env=env, cwd=ROOT, stdout=logs["locust"], stderr=subprocess.STDOUT,
                       timeout=args.duration + 120)
        for process in processes:
            _stop(process)
        problems, accepted = _check(url, before, work / "accepted.jsonl")
        rows = _stats(prefix)
        failed = sum(int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated")
        if failed:
            problems.append(f"{failed} request(s) failed (see {prefix}_failures.csv)")
        verify = subprocess.run([str(BIN / "flask"), "--app", "tracker", "audit", "verify"], env=env, cwd=ROOT,
                                capture_output=True, text=True)
        if verify.returncode != 0:
            problems.append("audit verify: " + (verify.stdout + verify.stderr).strip())
        for name in ("gunicorn", "scheduler"):
            logs[name].seek(0)
            if "Traceback" in logs[name].read():
                problems.append(f"{name} logged a traceback (see {work / (name + '.log')})")
        table = _table(rows)
        print(table)
        print(f"accepted: {accepted['event']} events, {accepted['upload']} uploads; mails sent: {Sink.received}")
        for problem in problems:
            print("PROBLEM:", problem)
        if args.write:
            from importlib.metadata import version

            staff = sum(1 for _ in plan["staff"])
            section = "\n".join([
                f"## Load test ({args.engine})", "",
                f"Mixed traffic from {args.users} simulated people (staff 3 : sponsor users 1) for {args.duration} s "
                f"against gunicorn with 2 workers on loopback, with the scheduler running and {args.contracts} demo "
                f"contracts on {args.engine}. Staff read their work queue, the contract list and contract pages and "
                f"move their own contracts round the review loop through the API ({staff} people with separate "
                "contracts, so a 409 would be a defect); sponsor users read their portal and upload redlines.", "",
                "Command:", "", "```",
                f".venv/bin/python bench/load_test.py --engine {args.engine} --contracts {args.contracts} "
                f"--users {args.users} --duration {args.duration} --write", "```", "",
                f"Run on {datetime.now(timezone.utc):%Y-%m-%d}: {platform.processor() or platform.machine()}, "
                f"{os.cpu_count()} CPUs, Python {platform.python_version()}, Flask {version('flask')}, "
                f"SQLAlchemy {version('sqlalchemy')}. The load generator shares the machine with the server.", "",
                table, "",
                f"Checks: {accepted['event']} accepted events and {accepted['upload']} accepted uploads, each stored "
                "exactly once; no gap or repeat in any touched track's event sequence; `audit verify` passes; no "
                "traceback in the server or scheduler logs. " + ("**All checks passed.**" if not problems else
                                                                 "**Problems:** " + "; ".join(problems)),
            ])
            _write(section, args.engine)
        return 1 if problems else 0
    finally:
        for process in processes:
            _stop(process)
        smtp.stop()
        drop()


if __name__ == "__main__":
    sys.exit(main())

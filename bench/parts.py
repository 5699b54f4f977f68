"""The parts of bench/run.py, each run in its own process: ``parts.py pages`` or ``parts.py sweep``.

Each prints one line of JSON with its figures and the process's peak memory (maxrss).
``throughput`` runs in the caller: it starts gunicorn with two workers and drives it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "fasttrack-demo"
LEGAL, ADMIN, SPONSOR = "legal.gr@tracker.example", "admin@tracker.example", "sponsor@novacure.example"
# (name, who, path, goal in ms); {ref} is an open contract the GR site takes part in, {sref} one of Novacure's.
PAGES = [
    ("staff queue `/`", LEGAL, "/", 50),
    ("staff queue, all open by due date, page 3", LEGAL, "/?tab=all&sort=-due&page=3", 50),
    ("contract list `/contracts`, stage filter, page 2", LEGAL, "/contracts?stage=review&page=2", 50),
    ("contract list `/contracts`, search", LEGAL, "/contracts?q=KRASCOL", 50),
    ("contract page", LEGAL, "/contracts/{ref}", 50),
    ("sponsor portal home", SPONSOR, "/portal/", 50),
    ("`GET /api/v1/contracts/REF`", LEGAL, "api:/api/v1/contracts/{ref}", 50),
    ("`GET /api/v1/contracts` (100 per page)", LEGAL, "api:/api/v1/contracts", 50),
    ("dashboard, partnership", ADMIN, "/dashboard/", 150),
    ("dashboard, one site", "manager.gr@tracker.example", "/dashboard/", 150),
    ("`GET /api/v1/metrics`", ADMIN, "api:/api/v1/metrics", 150),
]


def _app(url: str | None = None):
    from tracker import create_app

    config = {"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
    if url:
        config["SQLALCHEMY_DATABASE_URI"] = url
    return create_app(config)


def count_contracts(url: str) -> int:
    from sqlalchemy import create_engine, text

    try:
        with create_engine(url).connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM contracts")).scalar()
    except Exception:
        return 0


def counts(url: str) -> dict:
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                for t in ("contracts", "tracks", "events", "audit_entries", "stage_visits")}


def _references(app) -> tuple[str, str]:
    from tracker.extensions import db
    from tracker.models import Contract, Site, Sponsor, Track

    with app.app_context():
        ref = db.session.execute(db.select(Contract.reference).join(Track).join(Site).where(
            Site.code == "GR", Contract.status == "open").order_by(Contract.id.desc()).limit(1)).scalar()
        sref = db.session.execute(db.select(Contract.reference).join(Sponsor).where(
            Sponsor.name == "Novacure Oncology SA").order_by(Contract.id.desc()).limit(1)).scalar()
    return ref, sref


def token(app, email: str) -> str:
    from tracker import audit
    from tracker.database import utcnow
    from tracker.extensions import db
    from tracker.people.operations import find_user_by_email
    from tracker.people.tokens import create_token

    with app.app_context():
        value = create_token(find_user_by_email(email), actor=audit.SYSTEM, now=utcnow())
        db.session.commit()
    return value


def _p(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(share * len(values))) - 1))]


def pages(runs: int) -> dict:
    """p50/p95 (wall and CPU) of each page and endpoint through the test client, after 3 warm-up requests."""
    app = _app()
    ref, sref = _references(app)
    clients, tokens, out = {}, {}, []
    for name, email, path, goal in PAGES:
        path = path.format(ref=ref, sref=sref)
        headers = {}
        if path.startswith("api:"):
            path = path[4:]
            tokens.setdefault(email, token(app, email))
            headers["Authorization"] = "Bearer " + tokens[email]
            client = app.test_client()
        else:
            if email not in clients:
                clients[email] = app.test_client()
                answer = clients[email].post("/login", data={"email": email, "password": PASSWORD})
                if answer.status_code != 302:
                    raise SystemExit(f"cannot sign in as {email}")
            client = clients[email]
        wall, cpu = [], []
        for i in range(runs + 3):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            elapsed, used = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
            if i >= 3:
                wall.append(elapsed)
                cpu.append(used)
        out.append({"name": name, "path": path, "goal": goal, "p50": statistics.median(wall), "p95": _p(wall, .95),
                    "cpu_p50": statistics.median(cpu), "cpu_p95": _p(cpu, .95)})
    return {"pages": out, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


PARIS = ZoneInfo("Europe/Paris")


def sweep() -> dict:
    """Start-up, the first sweep over the loaded set at the next 10:00 at the sites, then the steady
    state an hour and a day later.

    Everything is rolled back at the end, so the saved data set stays as loaded.
    """
    started = time.perf_counter()
    app = _app()
    from tracker.alerts.sweep import sweep as run
    from tracker.database import utcnow
    from tracker.extensions import db

    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        startup = time.perf_counter() - started
        # From the next 10:00 at the sites, so "the same day" and "the next day" mean what they say
        # whatever the hour the benchmark runs.
        local = utcnow().astimezone(PARIS)
        base = local.replace(hour=10, minute=0, second=0, microsecond=0)
        base = (base if base > local else base + timedelta(days=1)).astimezone(timezone.utc)
        timings = {}
        for label, at in (("first", base), ("same day, 1 hour later", base + timedelta(hours=1)),
                          ("next day", base + timedelta(days=1)),
                          ("next day, 1 hour later", base + timedelta(days=1, hours=1))):
            start = time.perf_counter()
            queued = run(at)
            db.session.flush()
            timings[label] = {"seconds": time.perf_counter() - start, "queued": queued}
        db.session.rollback()
    return {"startup_seconds": startup, "sweeps": timings,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# -- gunicorn ----------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _drive(url: str, headers: dict, seconds: float, threads: int = 4) -> dict:
    latencies, errors, stop = [], [0], time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
                    r.read()
                latencies.append((time.perf_counter() - start) * 1000)
            except Exception:
                errors[0] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    begin = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - begin
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": _p(latencies, .95), "errors": errors[0]}


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def serve(env: dict, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """gunicorn -w 2 serving the checkout at ``root`` on a free port, once it answers; the process and its address."""
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "tracker:create_app()"], env=dict(env, PYTHONPATH=str(root)), cwd=root,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def throughput(env: dict, seconds: float) -> dict:
    """Requests per second of health, one contract and the list through gunicorn -w 2, windows interleaved."""
    url = env["TRACKER_DATABASE_URL"]
    app = _app(url)
    ref, _sref = _references(app)
    bearer = {"Authorization": "Bearer " + token(app, LEGAL)}
    server, base = serve(env)
    try:
        targets = {"/api/v1/health": ({}, "/api/v1/health"),
                   "/api/v1/contracts/REF": (bearer, f"/api/v1/contracts/{ref}"),
                   "/api/v1/contracts": (bearer, "/api/v1/contracts")}
        for headers, path in targets.values():  # warm both workers
            _drive(base + path, headers, 1.0)
        runs: dict[str, list] = {name: [] for name in targets}
        for _round in range(2):
            for name, (headers, path) in targets.items():
                runs[name].append(_drive(base + path, headers, seconds / 2))
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                  text=True).stdout.split()]
        peaks = [_peak_rss_mb(p) for p in workers]
    finally:
        stop(server)
    out = {}
    for name, windows in runs.items():
        total = sum(w["requests"] for w in windows)
        out[name] = {"rps": sum(w["rps"] for w in windows) / len(windows), "requests": total,
                     "p50": statistics.median([w["p50"] for w in windows]),
                     "p95": max(w["p95"] for w in windows), "errors": sum(w["errors"] for w in windows)}
    health = out["/api/v1/health"]["rps"]
    for name in out:
        out[name]["ratio"] = out[name]["rps"] / health if health else None
    return {"endpoints": out, "worker_peak_rss_mb": [p for p in peaks if p is not None]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=("pages", "sweep"))
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    result = pages(args.runs) if args.part == "pages" else sweep()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()

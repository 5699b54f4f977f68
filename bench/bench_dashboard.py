"""Benchmark: the work queue, the dashboard and GET /api/v1/metrics, in-process, on a demo database.

Goals (issue 14, at 100,000 contracts): p95 at most 50 ms for the queue, at most 150 ms
for the dashboard and the metrics. Requests go through the whole app (routing, session,
queries, templates) with Flask's test client, so the web server is left out.

The figures behind the dashboard and the metrics are kept per process until the next event
is written; "(cold)" rows clear them before each request, as the first reader after an
action finds them. Build the data once with the demo generator, then measure:

    TRACKER_DATABASE_URL=sqlite:///instance/bench.db flask --app tracker init-db
    TRACKER_DATABASE_URL=sqlite:///instance/bench.db flask --app tracker seed-demo --contracts 10000
    .venv/bin/python bench/bench_dashboard.py --database sqlite:///instance/bench.db [--runs 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Contract, Track  # noqa: E402

PASSWORD = "fasttrack-demo"
CASES = [
    # (name, who, path, goal in ms)
    ("queue, our move", "legal.gr@tracker.example", "/", 50),
    ("queue, all open, by due date", "legal.gr@tracker.example", "/?tab=all&sort=-due", 50),
    ("queue, overdue, page 3", "legal.gr@tracker.example", "/?tab=overdue&page=3", 50),
    ("queue, sponsor and phase filter", "manager.ib@tracker.example", "/?tab=all&sponsor_id=2&phase=I", 50),
    ("queue, admin, every site", "admin@tracker.example", "/?tab=ours", 50),
    ("dashboard, one site", "manager.gr@tracker.example", "/dashboard/", 150),
    ("dashboard, partnership", "admin@tracker.example", "/dashboard/", 150),
    ("dashboard, filtered", "admin@tracker.example", "/dashboard/?site=IB&phase=I&from=2020-01-01", 150),
    ("GET /api/v1/metrics", "admin@tracker.example", "api:/api/v1/metrics", 150),
    ("GET /api/v1/metrics?site=GR&sponsor_id=1", "manager.gr@tracker.example", "api:/api/v1/metrics?site=GR&sponsor_id=1",
     150),
]


def _client(app, email: str, clients: dict):
    if email not in clients:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"cannot sign in as {email}: run seed-demo on this database first")
        clients[email] = client
    return clients[email]


def _token(app, email: str, tokens: dict) -> str:
    if email not in tokens:
        from tracker import audit
        from tracker.database import utcnow
        from tracker.people.operations import find_user_by_email
        from tracker.people.tokens import create_token

        with app.app_context():
            tokens[email] = create_token(find_user_by_email(email), actor=audit.SYSTEM, now=utcnow())
            db.session.commit()
    return tokens[email]


def _cases():
    """Every case; the dashboard and the metrics also cold, as the first reader after an action finds them."""
    for name, email, path, goal in CASES:
        yield name, email, path, goal, False
        if goal > 50:
            yield name + " (cold)", email, path, goal, True


def measure(app, runs: int) -> list[tuple[str, float, float, float, int]]:
    from tracker.metrics import figures

    clients, tokens, results = {}, {}, []
    for name, email, path, goal, cold in _cases():
        client = _client(app, email, clients)
        headers = {}
        if path.startswith("api:"):
            path = path[4:]
            headers["Authorization"] = "Bearer " + _token(app, email, tokens)
        timings, cpu = [], []
        for i in range(runs + 3):
            if cold:
                figures.clear_cache()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            elapsed, used = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
            if i >= 3:  # the first requests warm caches (calendars, policies, templates)
                timings.append(elapsed)
                cpu.append(used)
        results.append((name, statistics.median(timings), _p95(timings), _p95(cpu), goal))
    return results


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * len(values))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a database filled by seed-demo")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        contracts = db.session.execute(db.select(db.func.count(Contract.id))).scalar()
        tracks = db.session.execute(db.select(db.func.count(Track.id))).scalar()
        engine = db.engine.dialect.name
    print(f"{contracts} contracts, {tracks} tracks, {engine}, {args.runs} runs each\n")
    # On a shared machine the wall clock counts other processes' turns too; the CPU time
    # of this process says what the request itself costs.
    print(f"| {'request':<48} | median ms | p95 ms | p95 CPU ms | goal ms | met (CPU) |")
    print(f"|{'-' * 50}|-----------|--------|------------|---------|-----------|")
    for name, median, p95, p95_cpu, goal in measure(app, args.runs):
        print(f"| {name:<48} | {median:9.1f} | {p95:6.1f} | {p95_cpu:10.1f} | {goal:7d} | "
              f"{'yes' if p95 <= goal else 'no'} ({'yes' if p95_cpu <= goal else 'no'}) |")


if __name__ == "__main__":
    main()

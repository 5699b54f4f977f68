"""Benchmark: the work queue, the dashboard and GET /api/v1/metrics, in-process, on a demo database.

Goals (issue 14, at 100,000 contracts): p95 at most 50 ms for the queue, at most 150 ms
for the dashboard and the metrics. Requests go through the whole app (routing, session,
queries, templates) with Flask's test client, so the web server is left out.

Build the data once with the demo generator, then measure:

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


def measure(app, runs: int) -> list[tuple[str, float, float, int]]:
    clients, tokens, results = {}, {}, []
    for name, email, path, goal in CASES:
        client = _client(app, email, clients)
        headers = {}
        if path.startswith("api:"):
            path = path[4:]
            headers["Authorization"] = "Bearer " + _token(app, email, tokens)
        timings = []
        for i in range(runs + 3):
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
            if i >= 3:  # the first requests warm caches (calendars, policies, templates)
                timings.append(elapsed)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
        results.append((name, statistics.median(timings), p95, goal))
    return results


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
    print(f"| {'request':<42} | median ms | p95 ms | goal ms | met |")
    print(f"|{'-' * 44}|-----------|--------|---------|-----|")
    for name, median, p95, goal in measure(app, args.runs):
        print(f"| {name:<42} | {median:9.1f} | {p95:6.1f} | {goal:7d} | {'yes' if p95 <= goal else 'no':<3} |")


if __name__ == "__main__":
    main()

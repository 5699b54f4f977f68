"""Profile one page or endpoint in-process: its SQL statement count and cProfile's top functions.

    TRACKER_DATABASE_URL=sqlite:///bench/data/sqlite-100000.db \\
        .venv/bin/python bench/profile_page.py legal.gr@tracker.example /contracts/FT-2026-0001 [--top 25]

Paths starting with ``api:`` are called with a bearer token of that person. The statement
count is what finds N+1 queries: it should not grow with the number of rows on the page; the
time each statement took shows which one needs an index or a different plan.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from bench.parts import PASSWORD, _app, _references, token  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("email")
    parser.add_argument("path", help="{ref} is replaced by an open contract of GR")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--statements", type=int, default=8, help="how many distinct statements to list, slowest first")
    args = parser.parse_args()
    app = _app()
    ref, sref = _references(app)
    path = args.path.format(ref=ref, sref=sref)
    client, headers = app.test_client(), {}
    if path.startswith("api:"):
        path = path[4:]
        headers["Authorization"] = "Bearer " + token(app, args.email)
    else:
        client.post("/login", data={"email": args.email, "password": PASSWORD})
    for _ in range(2):
        client.get(path, headers=headers)  # warm caches
    statements = collections.Counter()
    spent = collections.Counter()  # milliseconds per statement text
    started = {}
    from tracker.extensions import db

    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *_rest):
        statements[" ".join(statement.split())[:160]] += 1
        started[id(cursor)] = time.perf_counter()

    def timed(conn, cursor, statement, *_rest):
        spent[" ".join(statement.split())[:160]] += (time.perf_counter() - started.pop(id(cursor))) * 1000

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "after_cursor_execute", timed)
    profile = cProfile.Profile()
    profile.enable()
    response = client.get(path, headers=headers)
    profile.disable()
    event.remove(engine, "before_cursor_execute", count)
    event.remove(engine, "after_cursor_execute", timed)
    print(f"{path}: {response.status_code}, {sum(statements.values())} SQL statements, "
          f"{sum(spent.values()):.1f} ms in the database")
    for statement, ms in spent.most_common(args.statements):
        print(f"  {statements[statement]:4d} × {ms:7.1f} ms  {statement}")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print("\n".join(line[:170] for line in out.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    main()

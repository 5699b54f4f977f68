"""What a conditional GET saves: ``GET /api/v1/contracts/REF`` and ``GET /api/v1/contracts`` answered
200 (body built) against 304 (If-None-Match with the current tag), in-process, medians of N calls.

    TRACKER_DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/bench_etag.py [--runs 200]

Needs a database with the demo data (``init-db`` then ``seed-demo --contracts N``).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.parts import LEGAL, _app, _references, token  # noqa: E402


def _timed(client, path: str, headers: dict, status: int, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == status, (path, answer.status_code)
    return times


def measure(client, path: str, bearer: dict, runs: int) -> dict:
    tag = client.get(path, headers=bearer).headers["ETag"]
    for _ in range(5):  # warm caches
        client.get(path, headers=bearer)
    full = _timed(client, path, bearer, 200, runs)
    cheap = _timed(client, path, {**bearer, "If-None-Match": tag}, 304, runs)
    return {"200": statistics.median(full), "304": statistics.median(cheap)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    app = _app()
    ref, _sref = _references(app)
    bearer = {"Authorization": "Bearer " + token(app, LEGAL)}
    client = app.test_client()
    print("| request | 200 median ms | 304 median ms | 304 / 200 |")
    print("|---|---:|---:|---:|")
    for name, path in (("`GET /api/v1/contracts/REF`", f"/api/v1/contracts/{ref}"),
                       ("`GET /api/v1/contracts` (100 per page)", "/api/v1/contracts")):
        m = measure(client, path, bearer, args.runs)
        print(f"| {name} | {m['200']:.2f} | {m['304']:.2f} | {m['304'] / m['200']:.2f} |")
    # The floor any API answer pays in-process, for scale: no token, one trivial query.
    floor = statistics.median(_timed(client, "/api/v1/health", {}, 200, args.runs))
    print(f"\n`GET /api/v1/health` (no token, `SELECT 1`): {floor:.2f} ms median")


if __name__ == "__main__":
    main()

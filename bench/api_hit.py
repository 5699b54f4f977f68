"""The API's reading path against ``/api/v1/health``: in-process CPU per request and gunicorn throughput.

    TRACKER_DATABASE_URL=sqlite:////tmp/set.db .venv/bin/python bench/api_hit.py [--runs 150]
    TRACKER_DATABASE_URL=... .venv/bin/python bench/api_hit.py --http 3 --against /path/to/other/checkout

In-process: the median CPU time of ``--runs`` calls each of health, one contract whose answer is
kept (a hit), the same contract built afresh each time (a miss: the kept answers are forgotten
before each call) and the list of 100, with the SQL statements each ran. ``--http SECONDS``: the
requests per second of health, one contract and the list through ``gunicorn -w 2``, in windows of
that length, two rounds interleaved, as ``bench/parts.py`` measures them; with ``--against``, a
second checkout's server runs beside this one and their windows alternate, so both sets of ratios
come from the same run. Benchmarks, not tests: nothing here passes or fails a build.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.parts import LEGAL, _app, _drive, _references, serve, stop, token  # noqa: E402


def in_process(runs: int) -> dict:
    from tracker.api import answers
    from tracker.extensions import db

    app = _app()
    ref, _sref = _references(app)
    bearer = {"Authorization": "Bearer " + token(app, LEGAL)}
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    seen = []
    event.listen(engine, "before_cursor_execute", lambda *_args: seen.append(1))
    cases = (("health", "/api/v1/health", {}, False), ("contract, kept", f"/api/v1/contracts/{ref}", bearer, False),
             ("contract, built", f"/api/v1/contracts/{ref}", bearer, True), ("list", "/api/v1/contracts", bearer, False))
    out = {}
    for name, path, headers, forget in cases:
        cpu = []
        for i in range(runs + 5):
            if forget:
                answers.clear_cache()
            seen.clear()
            start = time.process_time()
            response = client.get(path, headers=headers)
            used = (time.process_time() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            if i >= 5:
                cpu.append(used)
        out[name] = {"cpu_ms": round(statistics.median(cpu), 3), "statements": len(seen)}
    return out


def throughput(seconds: float, against: Path | None) -> dict:
    # As bench/run.py: the per-token limit off, so the windows measure the work and not its refusals.
    env = dict(os.environ, TRACKER_RATELIMIT_ENABLED="0", TRACKER_API_RATE_LIMIT="off")
    app = _app()
    ref, _sref = _references(app)
    bearer = {"Authorization": "Bearer " + token(app, LEGAL)}
    targets = {"health": ({}, "/api/v1/health"), "contract": (bearer, f"/api/v1/contracts/{ref}"),
               "list": (bearer, "/api/v1/contracts")}
    trees = {"this": ROOT, **({"against": against} if against else {})}
    servers = {}
    try:
        for name, root in trees.items():
            servers[name] = serve(env, root)
        for _server, base in servers.values():
            for headers, path in targets.values():  # warm both workers
                _drive(base + path, headers, 1.0)
        rps: dict[tuple, list] = {}
        for _round in range(2):
            for name, (_server, base) in servers.items():
                for target, (headers, path) in targets.items():
                    rps.setdefault((name, target), []).append(_drive(base + path, headers, seconds)["rps"])
    finally:
        for server, _base in servers.values():
            stop(server)
    out = {}
    for name in servers:
        mean = {target: statistics.mean(rps[(name, target)]) for target in targets}
        out[name] = {**{f"{t} rps": round(v, 1) for t, v in mean.items()},
                     **{f"{t} / health": round(mean[t] / mean["health"], 3) for t in ("contract", "list")}}
    return {"load_after": os.getloadavg(), **out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--http", type=float, help="also measure throughput, windows of this many seconds")
    parser.add_argument("--against", type=Path, help="another checkout to measure beside this one (with --http)")
    args = parser.parse_args()
    print(json.dumps({"load_before": os.getloadavg(), "in_process": in_process(args.runs)}))
    if args.http:
        print(json.dumps(throughput(args.http, args.against)))


if __name__ == "__main__":
    main()

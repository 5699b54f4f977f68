"""Every benchmark of issue 14 in one run: build (or reuse) the demo data set, measure, report.

    .venv/bin/python bench/run.py                       # 100,000 contracts on SQLite
    .venv/bin/python bench/run.py --engine postgresql --contracts 10000
    .venv/bin/python bench/run.py --write               # also rewrite BENCHMARKS.md between the markers

The SQLite data set is kept in bench/data/ (git-ignored) and reused while it holds enough
contracts; on PostgreSQL the database tracker_bench_<n> is reused the same way. Each part
runs in its own process, so that its peak memory is its own: pages and endpoints in-process
through Flask's test client (p50/p95 wall and CPU), the alert sweep at the full set and at a
tenth of it (first sweep and steady state, beyond start-up), gunicorn with two workers for
throughput against /api/v1/health in the same run, and the document generation benchmark.
Benchmarks, not tests: nothing here passes or fails a build.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))
from bench import parts, report  # noqa: E402


def _env(url: str, anchors: Path) -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), TRACKER_DATABASE_URL=url, TRACKER_AUDIT_KEY="bench-key",
                TRACKER_AUDIT_ANCHOR_DIR=str(anchors), TRACKER_RATELIMIT_ENABLED="0",
                # The throughput windows call one token hundreds of times a second: measure the work,
                # not the per-token limit's refusals.
                TRACKER_API_RATE_LIMIT="off")


def _url(engine: str, contracts: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{DATA / f'sqlite-{contracts}.db'}"
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_{contracts}"


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "flask", "--app", "tracker", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)


def dataset(engine: str, contracts: int) -> dict:
    """The data set's URL and environment, built first if it is missing or short; the build's time."""
    DATA.mkdir(parents=True, exist_ok=True)
    url = _url(engine, contracts)
    env = _env(url, DATA / f"anchors-{engine}-{contracts}")
    if engine == "postgresql":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", f"tracker_bench_{contracts}"],
                       capture_output=True)
    have = parts.count_contracts(url)
    built = None
    if have < contracts:
        init = _flask(env, "init-db")
        if init.returncode:
            raise SystemExit(init.stderr)
        start, cpu = time.perf_counter(), _children_cpu()
        seeded = _flask(env, "seed-demo", "--contracts", str(contracts))
        built = {"seconds": time.perf_counter() - start, "cpu_seconds": _children_cpu() - cpu,
                 "load": os.getloadavg()[0]}
        if seeded.returncode:
            raise SystemExit(seeded.stderr)
        _seed_record(engine, contracts).write_text(json.dumps(built))
    elif _seed_record(engine, contracts).exists():
        built = json.loads(_seed_record(engine, contracts).read_text())  # measured when the set was built
    return {"url": url, "env": env, "contracts": contracts, "seed_seconds": built}


def _seed_record(engine: str, contracts: int) -> Path:
    return DATA / f"seed-{engine}-{contracts}.json"


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _part(env: dict, name: str, *args: str) -> dict:
    done = subprocess.run([PYTHON, str(ROOT / "bench" / "parts.py"), name, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _render_bench(runs: int) -> dict:
    done = subprocess.run([PYTHON, str(ROOT / "bench" / "bench_render.py"), "--runs", str(runs)], cwd=ROOT,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("ratio ours/docxtpl")), "")
    return {"line": line, "ratio": float(line.split(":")[1].split()[0]) if line else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="requests per page or endpoint")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each throughput window")
    parser.add_argument("--write", action="store_true", help="rewrite BENCHMARKS.md between the markers")
    parser.add_argument("--skip", action="append", default=[], choices=("seed", "pages", "sweep", "http", "docs"))
    parser.add_argument("--report", action="store_true",
                        help="measure nothing: report (and with --write, write) the results saved by the last run")
    args = parser.parse_args()
    out = DATA / f"results-{args.engine}-{args.contracts}.json"
    if args.report:
        _report(json.loads(out.read_text()), args)
        return
    results = {"engine": args.engine, "contracts": args.contracts, "machine": _machine(),
               "command": "python bench/run.py " + " ".join(sys.argv[1:])}
    full = dataset(args.engine, args.contracts)
    results["seed_seconds"] = full["seed_seconds"]
    results["counts"] = parts.counts(full["url"])
    print(f"data set: {results['counts']}", flush=True)
    if "pages" not in args.skip:
        results["pages"] = _part(full["env"], "pages", "--runs", str(args.runs))
        print("pages done", flush=True)
    if "sweep" not in args.skip:
        tenth = dataset(args.engine, args.contracts // 10)
        results["sweep"] = {"small": {**_part(tenth["env"], "sweep"), "contracts": tenth["contracts"]},
                            "full": {**_part(full["env"], "sweep"), "contracts": args.contracts}}
        print("sweep done", flush=True)
    if "http" not in args.skip:
        results["http"] = parts.throughput(full["env"], args.seconds)
        print("http done", flush=True)
    if "docs" not in args.skip:
        results["docs"] = _render_bench(60)
    # A part skipped this time keeps the figures of the last run that measured it, said as such.
    previous = json.loads(out.read_text()) if out.exists() else {}
    for part in ("pages", "sweep", "http", "docs"):
        if part in args.skip and part in previous:
            results[part] = previous[part]
            # Name the run that measured it, which may itself have carried it over from an earlier one.
            earlier = next((c for c in previous.get("carried", []) if c.startswith(f"{part} (")),
                           f"{part} ({previous.get('command', 'an earlier run')})")
            results.setdefault("carried", []).append(earlier)
    out.write_text(json.dumps(results, indent=1, default=str))
    _report(results, args)


def _report(results: dict, args) -> None:
    record = _seed_record(args.engine, args.contracts)
    if not results.get("seed_seconds") and record.exists():
        results["seed_seconds"] = json.loads(record.read_text())
    text = report.markdown(results)
    print(text)
    if args.write:
        report.write(ROOT / "BENCHMARKS.md", text, args.engine)


def _machine() -> dict:
    from importlib.metadata import version

    import sqlalchemy

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    versions = {"python": platform.python_version(), "flask": version("flask"), "sqlalchemy": sqlalchemy.__version__}
    try:
        import sqlite3
        versions["sqlite"] = sqlite3.sqlite_version
    except ImportError:
        pass
    for name in ("gunicorn", "psycopg"):
        try:
            versions[name] = __import__(name).__version__
        except (ImportError, AttributeError):
            pass
    return {"cpu": cpu, "cores": os.cpu_count(), "system": f"{platform.system()} {platform.release()}",
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "versions": versions, "load_before": os.getloadavg()}


if __name__ == "__main__":
    main()

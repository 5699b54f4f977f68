"""bench/run.py's results as the Markdown section of BENCHMARKS.md, and its writing between the markers."""
from __future__ import annotations

import re
from pathlib import Path

START, END = "<!-- bench: start -->", "<!-- bench: end -->"
SEED_GOAL, SWEEP_GOAL, MEMORY_GOAL = 180.0, 2.0, 200.0


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def markdown(r: dict) -> str:
    m = r["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    n = r["contracts"]
    lines = [f"### {r['engine']}, {n:,} contracts",
             "",
             f"Machine: {m['cpu']}, {m['cores']} cores (shared with other work: load average "
             f"{m['load_before'][0]:.1f} when the run began), {m['memory_gb']} GB, {m['system']}; {versions}.",
             f"Command: `{r['command']}`. Data set: " + ", ".join(f"{v:,} {k}" for k, v in r["counts"].items()) + ".",
             ""]
    if r.get("carried"):
        lines += ["Carried over from an earlier run on the same data set: " + "; ".join(r["carried"]) + ".", ""]
    if r.get("seed_seconds"):
        s = r["seed_seconds"]
        cpu = f"{s['cpu_seconds']:.0f} s of CPU" if s.get("cpu_seconds") else "CPU time not recorded"
        load = f"load average {s['load']:.1f} on 2 cores" if s.get("load") else "machine shared with other work"
        lines += [f"**`seed-demo --contracts {n}`** (measured when the set was built): {s['seconds']:.1f} s wall, "
                  f"{cpu} ({load}), goal ≤ 180 s at 100,000: "
                  + (_met(s["seconds"] <= SEED_GOAL) if n == 100_000 else "a smaller set") + ".", ""]
    if "pages" in r:
        lines += ["In-process (Flask test client, the whole app but no web server), after 3 warm-up requests; "
                  "wall time, and the CPU time of the process (what the request itself costs on a shared machine).",
                  "",
                  "| page or endpoint | p50 ms | p95 ms | p95 CPU ms | goal p95 | |",
                  "|---|---:|---:|---:|---:|---|"]
        for p in r["pages"]["pages"]:
            cpu = "" if p["p95"] <= p["goal"] else f" (CPU: {_met(p['cpu_p95'] <= p['goal'])})"
            lines.append(f"| {p['name']} | {p['p50']:.1f} | {p['p95']:.1f} | {p['cpu_p95']:.1f} | {p['goal']} ms | "
                         f"{_met(p['p95'] <= p['goal'])}{cpu} |")
        rss = r["pages"]["maxrss_mb"]
        lines += ["", f"Peak memory of the process that served all of these: {rss:.0f} MB (maxrss).", ""]
    if "sweep" in r:
        lines += ["`sla sweep` beyond start-up (start-up: creating the app and connecting), everything rolled back "
                  "after, so each run starts from the loaded set:", "",
                  "| contracts | start-up s | " + " | ".join(r["sweep"]["full"]["sweeps"]) + " | peak memory |",
                  "|---:|---:|" + "---:|" * (len(r["sweep"]["full"]["sweeps"]) + 1)]
        for key in ("small", "full"):
            s = r["sweep"][key]
            cells = " | ".join(f"{v['seconds']:.2f} s ({v['queued']} queued)" for v in s["sweeps"].values())
            lines.append(f"| {s['contracts']:,} | {s['startup_seconds']:.1f} | {cells} | {s['maxrss_mb']:.0f} MB |")
        full, small = r["sweep"]["full"]["sweeps"], r["sweep"]["small"]["sweeps"]
        steady = [k for k in full if k != "first"]
        worst = max(full[k]["seconds"] for k in steady)
        first_ratio = full["first"]["seconds"] / max(small["first"]["seconds"], 1e-6)
        daily = "next day" if "next day" in full else "steady, next day"
        steady_ratio = full[daily]["seconds"] / max(small[daily]["seconds"], 1e-6)
        verdict = (_met(worst <= SWEEP_GOAL) if n == 100_000
                   else f"{'within' if worst <= SWEEP_GOAL else 'above'} it already at {n:,}")
        first = full["first"]
        lines += ["", f"Sweep goal (≤ {SWEEP_GOAL:.0f} s beyond start-up at 100,000), steady state: slowest sweep "
                  f"{worst:.2f} s: {verdict}. The first sweep after loading catches up on everything the loaded "
                  f"history left due ({first['queued']:,} alerts): {first['seconds']:.2f} s, "
                  f"{_met(first['seconds'] <= SWEEP_GOAL)}. Growth from {r['sweep']['small']['contracts']:,} to "
                  f"{n:,} contracts: first sweep ×{first_ratio:.1f}, steady state (next day) ×{steady_ratio:.1f}.", ""]
    if "http" in r:
        e = r["http"]["endpoints"]
        lines += ["gunicorn `-w 2` on loopback, 4 client threads, windows interleaved (health, one contract, list, "
                  "twice), all in the same run:", "",
                  "| endpoint | requests/s | p50 ms | p95 ms | errors | share of health | goal |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        goals = {"/api/v1/contracts/REF": 0.5, "/api/v1/contracts": 0.25}
        for name, v in e.items():
            goal = goals.get(name)
            verdict = "" if goal is None else f"≥ {goal:g}: {_met(v['ratio'] >= goal)}"
            lines.append(f"| `{name}` | {v['rps']:.0f} | {v['p50']:.1f} | {v['p95']:.1f} | {v['errors']} | "
                         f"{v['ratio']:.2f} | {verdict} |")
        peaks = r["http"]["worker_peak_rss_mb"]
        if peaks:
            lines += ["", "Peak memory of the gunicorn web workers after the run (VmHWM): "
                      + ", ".join(f"{p:.0f} MB" for p in peaks)
                      + f" (goal ≤ {MEMORY_GOAL:.0f} MB: {_met(max(peaks) <= MEMORY_GOAL)})."]
        lines.append("")
    if "sweep" in r:
        rss = r["sweep"]["full"]["maxrss_mb"]
        lines += [f"Peak memory of the scheduler's work (a process running the sweep four times at {n:,} "
                  f"contracts): {rss:.0f} MB (goal ≤ {MEMORY_GOAL:.0f} MB: {_met(rss <= MEMORY_GOAL)}).", ""]
    if r.get("docs", {}).get("line"):
        ratio = r["docs"]["ratio"]
        lines += [f"Document generation (bench/bench_render.py, same run): {r['docs']['line']}: "
                  f"{_met(ratio is not None and ratio <= 0.5)}.", ""]
    return "\n".join(lines)


def write(path: Path, section: str, engine: str) -> None:
    """Put this engine's section between the markers, keeping the other engine's and the rest of the file."""
    text = path.read_text()
    if START not in text:
        text = text.rstrip() + f"\n\n## Scale: 100,000 contracts (bench/run.py)\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    inside, after = rest.split(END, 1)
    # One section per engine and size: a PostgreSQL run at 10,000 stays beside one at 100,000.
    sections = {m.group(1): m.group(0) for m in re.finditer(r"### ([^\n]+)\n.*?(?=\n### |\Z)", inside, re.S)}
    sections[section.strip().splitlines()[0][4:]] = section.strip()

    def order(title: str) -> tuple:
        name, _, size = title.partition(", ")
        return (name != "sqlite", -int(size.split()[0].replace(",", "") or 0))

    body = "\n\n".join(sections[k].strip() for k in sorted(sections, key=order))
    path.write_text(f"{before}{START}\n{body}\n{END}{after}")

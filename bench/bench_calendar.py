"""Benchmark: one SLA sweep over 100,000 synthetic tracks on two site calendars.

For each track it computes the stage due date (``stage_due_on``), the working days
the stage has run (``working_days_between``) and the status (``sla_status``), which
is what a dashboard or alert sweep does. Tracks are spread over 2024-2027.

Run: /tmp/venv/bin/python bench/bench_calendar.py [--tracks N] [--runs R]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.sla.calendar import CalendarSpec, WorkingCalendar, calendar_for  # noqa: E402
from tracker.sla.deadlines import sla_status, stage_due_on  # noqa: E402

SPECS = [
    CalendarSpec(country="FR", works_whit_monday=True),
    CalendarSpec(country="FR", subdivision="57", closures=frozenset({date(2025, 12, 24), date(2026, 5, 15)})),
]


def make_tracks(n: int, seed: int = 42):
    rng = random.Random(seed)
    first = date(2024, 1, 1).toordinal()
    span = (date(2027, 12, 31) - date(2024, 1, 1)).days
    tracks = []
    for _ in range(n):
        entered = date.fromordinal(first + rng.randrange(span))
        today = entered + timedelta(days=rng.randrange(0, 12))
        tracks.append((rng.randrange(len(SPECS)), entered, rng.choice((2, 3, 5)), today, rng.random() < 0.2))
    return tracks


def sweep(calendars: list[WorkingCalendar], tracks) -> dict[str, int]:
    counts: dict[str, int] = {}
    for cal_index, entered, sla, today, paused in tracks:
        cal = calendars[cal_index]
        due = stage_due_on(cal, entered, sla)
        cal.working_days_between(entered, today)
        status = sla_status(cal, due, today, paused, warning_before=1)
        counts[status] = counts.get(status, 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    tracks = make_tracks(args.tracks)

    # Cold run: fresh calendars in a fresh process, so computing the holidays is included.
    cold_calendars = [WorkingCalendar(spec) for spec in SPECS]
    t0 = time.perf_counter()
    counts = sweep(cold_calendars, tracks)
    cold = time.perf_counter() - t0

    calendars = [calendar_for(spec) for spec in SPECS]
    sweep(calendars, tracks[:1000])  # load years once
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        sweep(calendars, tracks)
        timings.append(time.perf_counter() - t0)

    median = statistics.median(timings)
    print(f"python {sys.version.split()[0]}, {args.tracks:,} tracks, 2 calendars, 2024-2027")
    print(f"statuses: {dict(sorted(counts.items()))}")
    print(f"first sweep (fresh calendars): {cold * 1000:.1f} ms")
    print(f"median of {args.runs} warm sweeps: {median * 1000:.1f} ms "
          f"({median / args.tracks * 1e6:.2f} us/track; min {min(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()

"""Running the same work in several threads at once, to show that the tracker keeps its rules under races."""
from __future__ import annotations

import threading


def race(threads: int, work) -> list:
    """Start ``work`` in several threads at the same instant; return what each returned.

    Any exception in a thread fails the test, so a race cannot hide an error.
    """
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except Exception as exc:  # reported below
            errors.append(exc)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=120)
    assert errors == []
    return results

"""Time the password check at sign-in for a real account, an unknown address and a disabled account.

All three should cost the same (one hash check each), so the answer's time does not tell which
addresses have accounts. Runs on a throw-away SQLite file; prints the median, min and max in ms.

    .venv/bin/python bench/bench_sign_in.py --runs 30
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timezone

from tracker import audit, create_app
from tracker.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    folder = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        from flask_migrate import upgrade

        from tracker.people.accounts import disable_user
        from tracker.people.operations import create_user
        from tracker.people.sign_in import authenticate
        from tracker.seeding import seed_reference_data

        upgrade(directory=app.extensions["migrate"].directory)
        now = datetime.now(timezone.utc)
        seed_reference_data(now=now, templates=False)
        for email in ("real@gr.test", "gone@gr.test"):
            create_user({"email": email, "name": "Bench", "role": "legal", "site": "GR",
                         "password": "correct horse battery"}, actor=audit.SYSTEM, now=now)
        db.session.flush()
        from tracker.people.operations import find_user_by_email

        disable_user(find_user_by_email("gone@gr.test"), actor=audit.SYSTEM, now=now)
        db.session.commit()
        cases = (("real account, wrong password", "real@gr.test"), ("unknown address", "nobody@gr.test"),
                 ("disabled account", "gone@gr.test"))
        times = {label: [] for label, _ in cases}
        authenticate("nobody@gr.test", "warm-up")
        for _ in range(runs):  # interleaved, so a busy moment hits every case alike
            for label, email in cases:
                start = time.perf_counter()
                authenticate(email, "a wrong password")
                times[label].append((time.perf_counter() - start) * 1000)
        for label, values in times.items():
            print(f"{label:30} median {statistics.median(values):7.1f} ms   min {min(values):7.1f}   "
                  f"max {max(values):7.1f}")


if __name__ == "__main__":
    main()

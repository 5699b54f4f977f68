"""Real server processes on the test database, like the workers of one deployment (``flask run``)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import redis
import requests

from tests.helpers.workers import redis_url



@pytest.fixture
def redis_db():
    """This worker's first Redis database, emptied before and after (it is this test suite's own)."""
    url = redis_url(0)
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def servers(app, tmp_path):
    """Start real server processes on this test database, like workers of one deployment."""
    started = []

    def start(count: int, redis_url: str | None = None, **settings: str) -> list[str]:
        bases = []
        for _ in range(count):
            port = _free_port()
            env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                       TRACKER_SECRET_KEY="shared-secret", TRACKER_BASE_URL=f"http://127.0.0.1:{port}",
                       PYTHONPATH=os.getcwd())
            env.pop("TRACKER_REDIS_URL", None)
            if redis_url:
                env["TRACKER_REDIS_URL"] = redis_url
            env.update(settings)
            log = open(tmp_path / f"server-{port}.log", "w")
            process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tracker", "run", "--port",
                                        str(port), "--no-reload", "--no-debugger"], env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
            started.append(process)
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(200):
                try:
                    requests.get(base + "/api/v1/health", timeout=2)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
        return bases

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)

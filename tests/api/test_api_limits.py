"""Per-token limits on the API: calls (TRACKER_API_RATE_LIMIT) and upload volume (TRACKER_API_UPLOAD_LIMIT),
shared by two server processes through Redis, answering 429 JSON with Retry-After."""
from __future__ import annotations

import os

import pytest
import requests

from tests.helpers.live_servers import redis_db, servers  # noqa: F401  (Redis db 5, real server processes)
from tracker.api.limits import call_allowance, upload_allowance


def _get(base, token, path="/contracts"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{base}/api/v1{path}", headers=headers, timeout=30)


def test_calls_are_limited_per_token_across_processes(make_user, token_for, servers, redis_db):
    first, second = servers(2, redis_db, TRACKER_API_RATE_LIMIT="5/minute")
    token, other = token_for(make_user("legal", "GR")), token_for(make_user("legal", "IB"))
    statuses = [_get(first if n % 2 else second, token).status_code for n in range(5)]
    assert statuses == [200] * 5
    refused = _get(first, token)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited" and refused.json()["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert _get(second, other).status_code == 200  # another token has its own count
    assert all(_get(second, None, "/health").status_code == 200 for _ in range(8))  # no token, no count
    assert not any(token in key.decode() for key in __import__("redis").Redis.from_url(redis_db).keys())


def test_off_disables_the_call_limit(make_user, token_for, servers, redis_db):
    (base,) = servers(1, redis_db, TRACKER_API_RATE_LIMIT="off")
    token = token_for(make_user("legal", "GR"))
    assert {_get(base, token).status_code for _ in range(25)} == {200}


def test_upload_volume_is_limited_per_token(make_user, token_for, make_sponsor, make_contract, servers, redis_db):
    (base,) = servers(1, redis_db, TRACKER_API_UPLOAD_LIMIT="30 KB/hour")
    reference = make_contract(make_sponsor())
    token = token_for(make_user("legal", "GR"))

    def upload():
        return requests.post(f"{base}/api/v1/contracts/{reference}/documents/upload",
                             headers={"Authorization": f"Bearer {token}"}, data={"site": "GR"},
                             files={"file": ("redline.docx", os.urandom(20 * 1024))}, timeout=30)

    first = upload()
    assert first.status_code != 429 and first.status_code < 500  # refused as a document, but counted
    second = upload()
    assert second.status_code == 429 and "upload volume" in second.json()["error"]["message"]
    assert 3000 < int(second.headers["Retry-After"]) <= 3600
    assert _get(base, token).status_code == 200  # reading is still allowed


@pytest.mark.parametrize("value, amount, period", [("100 MB/hour", 100 * 1024**2, 3600),
                                                    ("50MB per hour", 50 * 1024**2, 3600),
                                                    ("1.5 kb/minute", 1536, 60), ("10 B/second", 10, 1)])
def test_upload_limit_format(value, amount, period):
    item = upload_allowance(value)
    assert item.amount == amount and item.get_expiry() == period


@pytest.mark.parametrize("reader, value", [(upload_allowance, "lots"), (upload_allowance, "100 MB"),
                                           (upload_allowance, "0 MB/hour"), (call_allowance, "lots"),
                                           (upload_allowance, "5 TB/hour")])
def test_unreadable_limits_name_the_setting(reader, value):
    with pytest.raises(ValueError, match="TRACKER_API_"):
        reader(value)
    assert upload_allowance("off") is None and call_allowance("OFF") is None

"""The audit chain is linked one way, whether a change's rows are written as it happens or a bulk load
links a whole chunk of changes at once: both give the rows that verification accepts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tracker import audit
from tracker.audit.chain import GENESIS, keyed_digest
from tracker.models import AuditEntry

KEY = "a test key"
AT = datetime(2026, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=1)))
ACTOR = audit.Actor(user_id=4, email="léa@example.org", role="legal", site_code="GR")
CHANGES = [("contract", 7, {"title": (None, "Étude « ESCALADE »"), "budget": (None, [{"amount": 450}])}),
           ("track", 12, {"stage": ("review", "sponsor"), "round": (0, 1)})]


def test_a_batch_links_the_same_rows_as_changes_written_one_by_one():
    one_by_one, next_id, prev = [], 1, GENESIS
    for entity, entity_id, changes in CHANGES:
        rows = audit.entries(ACTOR, entity, entity_id, changes, at=AT, contract_id=7, reason=None,
                             next_id=next_id, prev_hash=prev, key=KEY)
        one_by_one += rows
        next_id, prev = rows[-1]["id"] + 1, rows[-1]["hash"]
    batch = audit.link([row for entity, entity_id, changes in CHANGES
                        for row in audit.unlinked(ACTOR, entity, entity_id, changes, at=AT, contract_id=7,
                                                  reason=None)], next_id=1, prev_hash=GENESIS, key=KEY)
    assert batch == one_by_one
    assert [r["id"] for r in batch] == [1, 2, 3, 4]
    for row in batch:  # what verification recomputes from the stored row
        assert keyed_digest(AuditEntry(**row), KEY) == row["hash"]
    assert keyed_digest(AuditEntry(**batch[-1]), "another key") != batch[-1]["hash"]

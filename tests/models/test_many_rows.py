"""Statements over many rows (tracker.many_rows): the same rows in and out on SQLite and on PostgreSQL's arrays."""
from datetime import date, datetime, timezone

import pytest

from tracker.extensions import db
from tracker.many_rows import insert_skipping_existing, one_of, update_where
from tracker.models import OutboxMessage, Sponsor


def _sponsors(names):
    for name in names:
        db.session.add(Sponsor(name=name, created_at=datetime(2026, 1, 5, tzinfo=timezone.utc)))
    db.session.flush()
    return {s.name: s for s in db.session.execute(db.select(Sponsor).where(Sponsor.name.in_(names))).scalars()}


def test_one_of_finds_exactly_the_values_given(ctx):
    made = _sponsors(["Alpha", "Beta", "Gamma"])
    found = db.session.execute(db.select(Sponsor.name).where(one_of(Sponsor.id, [made["Alpha"].id, made["Gamma"].id,
                                                                                 999_999]))).scalars()
    assert sorted(found) == ["Alpha", "Gamma"]
    assert db.session.execute(db.select(Sponsor.id).where(one_of(Sponsor.name, []))).all() == []


def test_update_where_changes_only_the_rows_that_still_match(ctx):
    made = _sponsors(["Alpha", "Beta"])
    table = Sponsor.__table__
    update_where(table, [{"sid": made["Alpha"].id, "seen": "Alpha", "country": "BE"},
                         {"sid": made["Beta"].id, "seen": "Renamed meanwhile", "country": "DE"}],
                 match={"id": "sid", "name": "seen"}, values={"country": "country"})
    rows = dict(db.session.execute(db.select(table.c.name, table.c.country).where(
        table.c.id.in_([s.id for s in made.values()]))).all())
    assert rows["Alpha"] == "BE" and rows["Beta"] != "DE"


def test_the_outbox_insert_skips_existing_keys_and_keeps_every_value(ctx):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite inserts through SQLAlchemy's own multi-row INSERT (tracker.mail.queue.insert_new)")
    at = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)

    def row(key, payload):
        return {"key": key, "kind": "breach", "contract_id": None, "track_id": None, "visit": None, "site_id": None,
                "recipient_id": None, "to_address": "a@example.org", "language": "fr", "subject": "Dépassé « 3 »",
                "body_text": "", "body_html": "", "payload": payload, "status": "queued", "attempts": 0,
                "created_at": at, "not_before": at, "claimed_at": None, "sent_at": None, "last_error": None,
                "attachment_document_id": None}

    table = OutboxMessage.__table__
    assert insert_skipping_existing(table, [row("k1", {"due_on": "2026-03-02", "missing": ["sponsor"]})],
                                    "key") == ["k1"]
    added = insert_skipping_existing(table, [row("k1", None), row("k2", None), row('k3 "quoted", {braced}', {})],
                                     "key")
    assert added == ["k2", 'k3 "quoted", {braced}']
    first = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.key == "k1")).scalar_one()
    assert first.payload == {"due_on": "2026-03-02", "missing": ["sponsor"]} and first.subject == "Dépassé « 3 »"
    assert first.not_before == at and first.created_at.tzinfo is not None
    assert date(2026, 3, 2) == first.not_before.date()


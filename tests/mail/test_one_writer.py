"""Only ``tracker.mail`` writes the outbox: every other module queues, forgets or settles mails by calling it.

Read from the source, so a new module that inserts, updates or deletes outbox rows, builds an
``OutboxMessage``, or sets a field of one it loaded, fails here before it ships. Reading the outbox
(the admin's page, the freshness check) stays allowed.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tracker.models import OutboxMessage

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
ALLOWED = {TRACKER / "mail", TRACKER / "models"}
COLUMNS = {column.key for column in OutboxMessage.__table__.columns} - {"id"}
WRITES = {"insert", "update", "delete"}


def _is_outbox(node: ast.AST) -> bool:
    """``OutboxMessage``, ``OutboxMessage.__table__`` or the table's name."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    return (isinstance(node, ast.Name) and node.id == "OutboxMessage") or \
        (isinstance(node, ast.Constant) and node.value == "outbox")


def outbox_writes(source: str) -> list[str]:
    """What in this module's source writes the outbox, as ``line: what``."""
    tree = ast.parse(source)
    found = []
    uses_model = any(isinstance(n, ast.Name) and n.id == "OutboxMessage" for n in ast.walk(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "OutboxMessage":
                found.append(f"{node.lineno}: builds an OutboxMessage")
            elif name in WRITES and node.args and _is_outbox(node.args[0]):
                found.append(f"{node.lineno}: {name} on the outbox")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = " ".join(node.value.lower().split())
            if any(f"{verb} outbox" in words for verb in ("insert into", "update", "delete from")):
                found.append(f"{node.lineno}: SQL writing the outbox")
        elif uses_model and isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if isinstance(element, ast.Attribute) and element.attr in COLUMNS:
                        found.append(f"{node.lineno}: sets .{element.attr} of an outbox row")
    return found


def test_no_module_outside_tracker_mail_writes_the_outbox():
    offenders = {}
    for path in sorted(TRACKER.rglob("*.py")):
        if any(folder in path.parents for folder in ALLOWED):
            continue
        writes = outbox_writes(path.read_text(encoding="utf-8"))
        if writes:
            offenders[str(path.relative_to(TRACKER.parent))] = writes
    assert offenders == {}, "write the outbox through tracker.mail.queue / tracker.mail.outbox"


def test_the_scan_sees_each_way_of_writing():
    """The check itself can fail: each of these is caught."""
    assert outbox_writes("from tracker.models import OutboxMessage\nrow = OutboxMessage(key='k')\n")
    assert outbox_writes("from tracker.models import OutboxMessage\ndb.insert(OutboxMessage).values()\n")
    assert outbox_writes("from tracker.models import OutboxMessage\ninsert(OutboxMessage.__table__)\n")
    assert outbox_writes("from tracker.models import OutboxMessage\ndb.update(OutboxMessage).values(x=1)\n")
    assert outbox_writes("db.session.execute(text('UPDATE outbox SET status = 1'))\n")
    assert outbox_writes("from tracker.models import OutboxMessage\nrow = db.session.get(OutboxMessage, 1)\n"
                         "row.status = 'superseded'\n")
    assert outbox_writes("from tracker.models import OutboxMessage\nr = q(OutboxMessage)\nr.body_text = r.x = ''\n")
    assert not outbox_writes("from tracker.models import OutboxMessage\n"
                             "rows = db.session.execute(db.select(OutboxMessage)).scalars().all()\n"
                             "found.update(db.session.execute(db.select(OutboxMessage.key)).scalars())\n")

"""A contract's history as the sponsor sees it: every event in words, with only the comments meant
for the sponsor, and the messages between the sponsor and the sites."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.extensions import db
from tracker.models import Contract, Event
from tracker.stages.rules import event_label
from tracker.portal.messages import contract_messages


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # event or message
    site: str
    words: str
    comment: str | None = None
    author: str | None = None
    side: str | None = None
    anchor: str | None = None


def sponsor_timeline(contract: Contract) -> list[Entry]:
    """Oldest first, events and messages together."""
    events = db.session.execute(db.select(Event).where(Event.contract_id == contract.id)
                                .order_by(Event.effective_at, Event.id)).scalars().all()
    entries = [Entry(at=e.effective_at, kind="event", site=e.track.site.name, words=str(event_label(e.action, e.party)),
                     comment=e.comment if e.comment_for_sponsor else None,
                     author=e.actor.name if e.actor is not None and e.actor.role == "sponsor" else None)
               for e in events]
    entries += [Entry(at=m.created_at, kind="message", site=m.site.name, words="", comment=m.body,
                      author=m.author.name if m.author else None, side=m.side, anchor=f"message-{m.id}")
                for m in contract_messages(contract)]
    return sorted(entries, key=lambda entry: entry.at)

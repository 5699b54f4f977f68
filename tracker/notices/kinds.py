"""The registry of notification kinds: what each is about, who may receive it, its default choice.

To add a kind: ``register(Kind("a_kind", _l("What it tells"), roles=("legal",), default=NOW))`` at
import time of the module that queues it, and queue its mails through the outbox
(``tracker.mail.queue``) with that kind. The person's choice then applies by itself: nothing is
queued for "off", and a "digest" row is held for their daily digest; a kind marked ``always`` is
sent at once whatever was chosen (the page shows it as always sent). The
kind appears on everyone's notification settings page whose role it lists.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

NOW, DIGEST, OFF = "now", "digest", "off"
CHOICES = (NOW, DIGEST, OFF)
CHOICE_LABELS = {NOW: _l("At once"), DIGEST: _l("In my daily digest"), OFF: _l("Not at all")}


@dataclass(frozen=True)
class Kind:
    name: str  # the outbox kind its mails are queued with
    label: object  # a lazy string, for the settings page
    roles: tuple[str, ...]  # the roles that can receive it
    default: str = NOW
    always: bool = False  # sent at once whatever the person chose: shown, not switchable


KINDS: dict[str, Kind] = {}
# Whoever may be named as a signatory and have an account.
SIGNERS = ("legal", "manager", "sponsor")


def register(kind: Kind) -> Kind:
    if kind.default not in CHOICES or (kind.always and kind.default != NOW):
        raise ValueError(f"default of {kind.name} must be one of {CHOICES}, and {NOW} if it is always sent")
    KINDS[kind.name] = kind
    return kind


for _kind in (
    Kind("redline_received", _l("The sponsor uploaded a redline on a track I look after"), ("legal", "manager")),
    Kind("sponsor_replied", _l("The sponsor replied on a track I look after"), ("legal", "manager")),
    Kind("conformity_started", _l("The coordinating site agreed: my site's conformity check starts"),
         ("legal", "manager")),
    Kind("conformity_issue", _l("An associated site reported a conformity issue"), ("legal", "manager")),
    Kind("signature_recorded", _l("A signature was recorded on a track I look after"), ("legal", "manager"),
         default=NOW),
    Kind("sponsor_file", _l("A site sent me its draft or asks for documents"), ("sponsor",)),
    Kind("message", _l("A message was written to me about a contract"), ("legal", "sponsor")),
    Kind("webhook_failed", _l("A webhook delivery was given up"), ("admin",)),
    # The signing mails (SPEC 5c). Link, code and reminder carry what signs, which a digest would not; a decline
    # and the executed agreement must reach everyone named: all are always sent.
    Kind("signing_link", _l("A link to sign an agreement, when I am named to sign it"), SIGNERS, always=True),
    Kind("signing_code", _l("The code that confirms my signature"), SIGNERS, always=True),
    Kind("signing_reminder", _l("A reminder that an agreement awaits my signature"), SIGNERS, always=True),
    Kind("signing_declined", _l("A signatory declined to sign an agreement of my site"), ("legal",), always=True),
    Kind("signing_executed", _l("An agreement is signed by every party, with the executed PDF"),
         ("legal", "manager", "sponsor"), always=True),
):
    register(_kind)


def kinds_for(role: str) -> list[Kind]:
    """The kinds a person of this role can receive, in registry order."""
    return [k for k in KINDS.values() if role in k.roles]

"""Signing through a one-time link: the name typed, the consent, the code by e-mail, then the signature.

A simple electronic signature (eIDAS art. 25): the signatory opens the link sent to the address
the staff named, types their full name (it must be the name of the person named for that party),
ticks the consent, and confirms with a six-digit code e-mailed to that same address. The code is
kept only as a keyed hash, lives ten minutes and allows five tries. Every refusal says why and
signs nothing; only a wrong code is counted.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import Conflict, InvalidInput
from tracker.extensions import db
from tracker.models.signing import SigningCode, SigningLink
from tracker.stages import rules
from tracker.signing import evidence, links, mails
from tracker.signing.fixing import current_fixed, intact

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5
HONORIFICS = {"dr", "pr", "prof", "professeur", "professor", "docteur", "doctor", "m", "mme", "mlle", "mr", "mrs",
              "ms", "miss", "me", "maitre"}


class SigningRefused(Conflict):
    """The link cannot sign now: the track is cancelled, the document changed, the code is spent..."""

    def __init__(self, message: str, reason: str = "refused"):
        super().__init__(message)
        self.reason = reason


@dataclass
class Outcome:
    signed: bool
    tries_left: int = 0
    signature: object = None


def words_of(name: str) -> list[str]:
    """A name as comparable words: no accents, case, punctuation or titles (Pr, Dr, M., Mme...)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c))
    parts = re.sub(r"[^\w]+", " ", plain.casefold()).split()
    return sorted(p for p in parts if p not in HONORIFICS)


def consent_text(party: str) -> str:
    """The consent the signatory ticks, in the page's language; kept word for word with the evidence."""
    return str(_l("I have read this agreement and I sign it electronically for %(party)s. I understand that this "
                  "electronic signature binds me as a handwritten one would.", party=rules.PARTY_LABELS[party]))


def check_signable(link: SigningLink):
    """The fixed version this link may still sign, or SigningRefused saying why not."""
    signatory = link.signatory
    track = signatory.track
    if track.stage == rules.CANCELLED or track.contract.status == "cancelled":
        raise SigningRefused(str(_l("This agreement was cancelled: it can no longer be signed.")), "cancelled")
    if getattr(track, f"{signatory.party}_signed_at") is not None:
        raise SigningRefused(str(_l("The signature of %(p)s is already recorded.",
                                    p=rules.PARTY_LABELS[signatory.party])), "signed")
    fixed = current_fixed(track)
    if track.stage != rules.SIGNATURE or fixed is None or fixed.id != link.fixed_version_id:
        raise SigningRefused(str(_l("The terms of this agreement were reopened: this link no longer works. "
                                    "You will receive a new one once they are agreed again.")), "voided")
    if not intact(fixed):
        raise SigningRefused(str(_l("The document has changed since it was fixed for signature (its SHA-256 no "
                                    "longer matches), so it cannot be signed. The site has to agree it again.")),
                             "altered")
    return fixed


def _code_hash(link_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"{link_id}:{code}".encode(), hashlib.sha256).hexdigest()


def start(link: SigningLink, typed_name, consent, *, now: datetime) -> SigningCode:
    """Check the name typed and the consent, then e-mail a one-time code to the signatory's address.

    ``link`` is the usable link the caller found (``links.find``) in this transaction."""
    fixed = check_signable(link)
    signatory = link.signatory
    errors = {}
    typed = " ".join(typed_name.split()) if isinstance(typed_name, str) else ""
    if not typed:
        errors["name"] = str(_l("Type your full name."))
    elif len(typed) > 200 or words_of(typed) != words_of(signatory.name):
        errors["name"] = str(_l("This link is for %(name)s, who was named to sign for %(p)s: type that full "
                                "name. If someone else signs, ask the site to name them.",
                                name=signatory.name, p=rules.PARTY_LABELS[signatory.party]))
    if consent not in (True, "y", "on", "true", "1"):
        errors["consent"] = str(_l("Tick the box to say you agree to sign electronically."))
    if errors:
        raise InvalidInput(errors)
    recent = db.session.execute(db.select(db.func.count(SigningCode.id)).where(
        SigningCode.link_id == link.id, SigningCode.created_at > now - timedelta(hours=1))).scalar()
    if recent >= MAX_CODES_PER_HOUR:
        raise SigningRefused(str(_l("Too many codes were asked for in the last hour; try again later.")), "codes")
    _void_codes(link, now)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = SigningCode(link_id=link.id, code_hash="", typed_name=typed, consent_at=now, created_at=now,
                      consent_text=consent_text(signatory.party),
                      expires_at=now + CODE_LIFETIME, attempts=0)
    db.session.add(row)
    db.session.flush()
    row.code_hash = _code_hash(row.id, code)
    actor = evidence.signatory_actor(signatory)
    audit.record(actor, "signing_code", row.id, {"typed_name": (None, typed), "consent_at": (None, now)}, now=now,
                 contract_id=signatory.track.contract_id)
    mails.queue("code", code_mail_key(row), mails.Recipient(signatory.email, signatory.name,
                                                                  signatory.language, signatory.user_id),
                signatory.track, mails.track_values(signatory.track, signatory.party, code=code,
                                                    minutes=int(CODE_LIFETIME.total_seconds() // 60),
                                                    document={"version": fixed.document.version,
                                                              "sha256": fixed.sha256}), now=now)
    return row


def code_mail_key(row: SigningCode) -> str:
    return f"signing_code:{row.id}"


MAX_REASON = 2000


def decline(link: SigningLink, reason, *, now: datetime) -> SigningLink:
    """The signatory refuses to sign, saying why: the link dies, the owner and the site's legal staff hear the
    reason, and the track stays in signature (staff name someone else or send a new link)."""
    check_signable(link)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput({"reason": str(_l("Say why you decline to sign: the site reads it."))})
    if len(text) > MAX_REASON:
        raise InvalidInput({"reason": str(_l("At most %(n)d characters.", n=MAX_REASON))})
    signatory = link.signatory
    session = group(link)
    link.declined_at, link.decline_reason, link.voided_at = now, text, now
    _void_codes(link, now)
    mails.forget(links.mail_key(link))
    audit.record(evidence.signatory_actor(signatory), "signing_link", link.id,
                 {"declined_at": (None, now), "decline_reason": (None, text)}, now=now,
                 contract_id=signatory.track.contract_id)
    from tracker.signing import notices

    for declined_for, _fixed in session:
        notices.declined(link, text, now=now, signatory=declined_for)
    return link


def _void_codes(link: SigningLink, now: datetime) -> None:
    for row in db.session.execute(db.select(SigningCode).where(
            SigningCode.link_id == link.id, SigningCode.used_at.is_(None),
            SigningCode.voided_at.is_(None))).scalars():
        row.voided_at = now
        mails.forget(f"signing_code:{row.id}")


def latest_code(link: SigningLink) -> SigningCode | None:
    return db.session.execute(db.select(SigningCode).where(SigningCode.link_id == link.id)
                              .order_by(SigningCode.id.desc()).limit(1)).scalar_one_or_none()


def group(link: SigningLink) -> list[tuple]:
    """What one session signs: the link's own agreement, then the same person's agreements for the same party
    at the contract's other sites that can be signed now (in signature, fixed, intact, not yet signed)."""
    found = [(link.signatory, link.fixed_version)]
    for other in links.siblings(link.signatory):
        track = other.track
        fixed = current_fixed(track)
        if (track.stage == rules.SIGNATURE and getattr(track, f"{other.party}_signed_at") is None
                and fixed is not None and intact(fixed) and track.contract.status != "cancelled"):
            found.append((other, fixed))
    return found


def _take_try(row: SigningCode) -> bool:
    """Count one try before the code is compared, in one conditional UPDATE: concurrent requests queue on
    the row (PostgreSQL's row lock, SQLite's write lock), so no more than MAX_ATTEMPTS codes are ever
    compared, however many arrive at once. False when the tries are spent."""
    taken = db.session.execute(
        db.update(SigningCode).where(SigningCode.id == row.id, SigningCode.attempts < MAX_ATTEMPTS,
                                     SigningCode.used_at.is_(None), SigningCode.voided_at.is_(None))
        .values(attempts=SigningCode.attempts + 1), execution_options={"synchronize_session": False}).rowcount
    db.session.refresh(row)
    return taken == 1


def confirm(link: SigningLink, row: SigningCode | None, code, *, now: datetime, ip_address: str | None,
            user_agent: str | None) -> Outcome:
    """Sign with the code: the signature and its evidence, or a counted wrong try (the caller commits it).

    ``row`` is the link's latest code (``latest_code``), as the caller read it to show the page."""
    check_signable(link)
    if row is not None and row.used_at is None and row.attempts >= MAX_ATTEMPTS:
        raise SigningRefused(str(_l("Too many wrong codes; ask for a new one.")), "attempts")
    if row is None or row.used_at is not None or row.voided_at is not None or now >= row.expires_at:
        raise SigningRefused(str(_l("The code has expired or was never asked for; ask for a new one.")), "expired")
    if not _take_try(row):
        raise SigningRefused(str(_l("Too many wrong codes; ask for a new one.")), "attempts")
    typed = code.strip() if isinstance(code, str) else ""
    if not (typed.isdigit() and len(typed) == 6 and hmac.compare_digest(row.code_hash, _code_hash(row.id, typed))):
        if row.attempts >= MAX_ATTEMPTS:
            row.voided_at = now
            mails.forget(f"signing_code:{row.id}")
        return Outcome(False, MAX_ATTEMPTS - row.attempts)
    row.used_at = now
    mails.forget(f"signing_code:{row.id}")
    others = group(link)[1:]
    signature = evidence.sign_online(link, row, now=now, ip_address=ip_address, user_agent=user_agent)
    for signatory, fixed in others:  # the same person's other agreements, each with its own evidence
        evidence.sign_online(link, row, now=now, ip_address=ip_address, user_agent=user_agent,
                             signatory=signatory, fixed=fixed)
    return Outcome(True, signature=signature)

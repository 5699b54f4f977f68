"""Naming the person who signs for each party of a site's agreement, and sending their link (SPEC 5c).

Once a track is in signature, staff of its site (or an admin) name the institution's
representative (the site's default signatory is offered), the investigator (the contract's
investigator for the site, with an e-mail to enter) and the sponsor's representative (one of the
sponsor's users, or anyone by e-mail). Each gets a one-time link as soon as the version is fixed.
Until that party has signed, staff may send a new link or name someone else; either voids the
old link.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.documents.operations import contract_language
from tracker.errors import Conflict, InvalidInput
from tracker.extensions import db
from tracker.models import Track, User
from tracker.models.signing import FixedVersion, Signatory
from tracker.people.input import EMAIL_RE
from tracker.people.roles import require_site_staff
from tracker.text_rules import text_field
from tracker.stages import rules
from tracker.signing import links
from tracker.signing.fixing import current_fixed

FIELDS = {"site", "party", "name", "email", "language", "user_id", "capacity"}
MAX_NAME = 200


def named(track: Track) -> dict[str, Signatory]:
    """The standing signatory of each party of the track."""
    return named_by_track([track.id]).get(track.id, {})


def named_by_track(track_ids: list[int]) -> dict[int, dict[str, Signatory]]:
    """The standing signatories of each of these tracks, by party (one query for a whole contract)."""
    if not track_ids:
        return {}
    rows = db.session.execute(db.select(Signatory).where(
        Signatory.track_id.in_(track_ids), Signatory.ended_at.is_(None)).order_by(Signatory.id)).scalars().all()
    found: dict[int, dict[str, Signatory]] = {}
    for row in rows:
        found.setdefault(row.track_id, {})[row.party] = row
    return found


def sponsor_users(track: Track) -> list[User]:
    return sponsor_users_of(track.contract.sponsor_id)


def sponsor_users_of(sponsor_id: int) -> list[User]:
    """The sponsor's active users, who may be named to sign for it (the same for every site of a contract)."""
    return db.session.execute(db.select(User).where(
        User.role == "sponsor", User.sponsor_id == sponsor_id, User.active.is_(True))
        .order_by(User.name)).scalars().all()


def defaults(track: Track) -> dict[str, dict]:
    """What the naming form offers for each party before anyone is named."""
    site, contract = track.site, track.contract
    return {"institution": {"name": site.signatory_name or site.representative or "",
                            "email": site.signatory_email or "", "language": "fr"},
            "investigator": {"name": track.investigator_name or "", "email": "", "language": "fr"},
            "sponsor": {"name": contract.sponsor.representative or "", "email": "",
                        "language": contract_language(contract)}}


def _sponsor_user(track: Track, raw, errors: dict) -> User | None:
    if raw in (None, ""):
        return None
    user_id = int(raw) if isinstance(raw, (int, str)) and not isinstance(raw, bool) and str(raw).isdigit() \
        and len(str(raw)) < 10 else None
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.role != "sponsor" or user.sponsor_id != track.contract.sponsor_id or not user.active:
        errors["user_id"] = str(_l("Choose an active user of %(sponsor)s.", sponsor=track.contract.sponsor.name))
        return None
    return user


def parse(track: Track, data: dict, *, from_form: bool = False) -> dict:
    """Check a naming request field by field; InvalidInput names every bad field."""
    errors: dict[str, str] = {}
    if not from_form:
        for name in sorted(set(data) - FIELDS):
            errors[name] = str(_l("Unknown field."))
    party = data.get("party")
    if party not in rules.PARTIES:
        errors["party"] = str(_l("Say who signs: %(p)s.", p=", ".join(rules.PARTIES)))
    user = _sponsor_user(track, data.get("user_id"), errors) if party == "sponsor" else None
    if user is not None:
        data = {**data, "name": data.get("name") or user.name, "email": data.get("email") or user.email,
                "language": data.get("language") or user.language}
    name = text_field(data, "name", errors, limit=MAX_NAME, required=True, one_line=True) or ""
    email = (text_field(data, "email", errors, limit=254, required=True, one_line=True) or "").lower()
    if "email" not in errors and not EMAIL_RE.match(email):
        errors["email"] = str(_l("Enter a valid e-mail address."))
    language = data.get("language") or None
    if language not in (None, "fr", "en"):
        errors["language"] = str(_l("Choose fr or en."))
    capacity = text_field(data, "capacity", errors, limit=MAX_NAME, one_line=True) or ""
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    if language is None:
        language = defaults(track)[party]["language"]
    return {"party": party, "name": name, "email": email, "language": language, "user_id": user.id if user else None,
            "capacity": capacity or default_capacity(track, party)}


def default_capacity(track: Track, party: str) -> str | None:
    """The capacity in which the party's signatory signs, when staff give none: the representative's title."""
    if party == "institution":
        return track.site.representative_title
    if party == "sponsor":
        return track.contract.sponsor.representative_title
    return None


def _check(track: Track, party: str, actor) -> None:
    require_site_staff(actor, track, _l("Only staff of %(site)s can name its signatories."))
    if track.stage != rules.SIGNATURE:
        raise Conflict(str(_l("Signatories are named once the track is in signature; it is in %(s)s.",
                              s=rules.STAGE_LABELS.get(track.stage, track.stage))))
    if getattr(track, f"{party}_signed_at") is not None:
        raise Conflict(str(_l("%(p)s has already signed; the signatory can no longer change.",
                              p=str(rules.PARTY_LABELS[party]).capitalize())))


def name(track: Track, wanted: dict, *, actor: audit.Actor, now: datetime) -> Signatory:
    """Name (or change) the signatory of one party; their link goes out at once if the version is fixed."""
    party = wanted["party"]
    _check(track, party, actor)
    previous = named(track).get(party)
    if previous is not None:
        links.void_open(previous, now=now)
        previous.ended_at = now
    signatory = Signatory(track_id=track.id, party=party, name=wanted["name"], email=wanted["email"],
                          language=wanted["language"], user_id=wanted["user_id"], named_at=now,
                          capacity=wanted.get("capacity"),
                          named_by_id=actor.user_id)
    db.session.add(signatory)
    db.session.flush()
    audit.record(actor, "signatory", signatory.id,
                 {"party": (None, party), "name": (previous.name if previous else None, signatory.name),
                  "email": (previous.email if previous else None, signatory.email)},
                 now=now, contract_id=track.contract_id)
    fixed = current_fixed(track)
    if fixed is not None:
        links.issue(signatory, fixed, actor=actor, now=now)
    if previous is not None:
        _relink_siblings(previous, actor=actor, now=now)
    return signatory


def _relink_siblings(previous: Signatory, *, actor: audit.Actor, now: datetime) -> None:
    """The person replaced here may have held the one link for their other sites' agreements too: those
    signatories, left without a link, get one of their own."""
    for other in links.siblings(previous):
        track = other.track
        fixed = current_fixed(track)
        if (fixed is not None and track.stage == rules.SIGNATURE and links.open_link(other) is None
                and getattr(track, f"{other.party}_signed_at") is None):
            links.issue(other, fixed, actor=actor, now=now)
            return  # that link covers the rest of them


def resend(track: Track, party, *, actor: audit.Actor, now: datetime) -> Signatory:
    """A new link for the named signatory of a party; the previous one stops working."""
    if party not in rules.PARTIES:
        raise InvalidInput({"party": str(_l("Say who signs: %(p)s.", p=", ".join(rules.PARTIES)))})
    _check(track, party, actor)
    signatory = named(track).get(party)
    if signatory is None:
        raise Conflict(str(_l("Name the signatory of %(p)s first.", p=rules.PARTY_LABELS[party])))
    fixed = current_fixed(track)
    if fixed is None:
        raise Conflict(str(_l("No version is fixed for signature yet, so there is no link to send.")))
    links.issue(signatory, fixed, actor=actor, now=now)
    return signatory


def send_links(track: Track, fixed: FixedVersion, *, actor: audit.Actor, now: datetime) -> None:
    """A version has just been fixed: every signatory named for a party still to sign gets a link."""
    for party, signatory in named(track).items():
        if getattr(track, f"{party}_signed_at") is None:
            links.issue(signatory, fixed, actor=actor, now=now)

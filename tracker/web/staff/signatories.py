"""Staff side of signing, on the contract page: the fixed version, naming the signatories, their links,
signatures made elsewhere (with the signed PDF), and the executed agreement."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.documents.versions import current_of
from tracker.models import Contract, Document, Track
from tracker.models.signing import FixedVersion
from tracker.people.roles import STAFF_ROLES, is_site_staff
from tracker.stages import rules
from tracker.pipeline.input import parse_action
from tracker.signing import evidence, executed, fixing, links, signatories
from tracker.web.shared.helpers import attempt

bp = Blueprint("signatories", __name__)
OPEN_STAGES = (rules.SIGNATURE, rules.EXECUTED)


def _track(contract: Contract, track_id: int) -> Track:
    track = next((t for t in contract.tracks if t.id == track_id), None)
    if track is None:
        abort(404)
    return track


def _back(contract: Contract, track: Track):
    return redirect(url_for("contracts.show", reference=contract.reference) + f"#signing-{track.site.code}", 303)


def _party_state(track: Track, party: str, signatory, sign_links: dict, now) -> dict:
    link, declined = sign_links.get(signatory.id, (None, None)) if signatory is not None else (None, None)
    return {"party": party, "signatory": signatory, "link": link,
            "declined": declined if link is None else None,
            "signed_at": getattr(track, f"{party}_signed_at"), "expired": bool(link and link.expires_at <= now)}


def panels(contract: Contract, documents: list[Document], fixed: dict[int, FixedVersion]) -> list[dict]:
    """What the contract page shows of each track's signing (those in signature or executed).

    ``documents`` are the contract's versions in use and ``fixed`` each track's standing fixed
    version, read once for the page; the rest is read here once for all the tracks, so the page
    makes as many queries for three sites as for one."""
    tracks = [t for t in contract.ordered_tracks if t.stage in OPEN_STAGES]
    if not tracks:
        return []
    ids, now = [t.id for t in tracks], utcnow()
    named = signatories.named_by_track(ids)
    sign_links = links.sign_links_by_signatory([s.id for parties in named.values() for s in parties.values()])
    signatures, done = evidence.standing_by_track(ids), executed.executed_by_track(ids)
    intact = fixing.intact_by_id([fixed[i] for i in ids if i in fixed])
    sponsor_users = signatories.sponsor_users_of(contract.sponsor_id)
    found = []
    for track in tracks:
        standing, parties = fixed.get(track.id), named.get(track.id, {})
        found.append({
            "track": track, "fixed": standing, "intact": standing is None or intact[standing.id],
            "parties": [_party_state(track, p, parties.get(p), sign_links, now) for p in rules.PARTIES],
            "defaults": signatories.defaults(track), "sponsor_users": sponsor_users,
            "signatures": signatures.get(track.id, {}), "executed": done.get(track.id),
            "staff": is_site_staff(current_user, track.site_id),
            "signable": standing is None and track.stage == rules.SIGNATURE and
            current_of(documents, track, signable=True) is not None})
    return found


@bp.post("/contracts/<reference>/tracks/<int:track_id>/signatories")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def name(contract: Contract, track_id: int):
    """Name (or change) the signatory of one party; the link goes out if the version is fixed."""
    track = _track(contract, track_id)
    data = {key: request.form.get(key) for key in ("party", "name", "email", "language", "user_id")}

    def work():
        wanted = signatories.parse(track, data, from_form=True)
        return signatories.name(track, wanted, actor=Actor.of(current_user), now=utcnow())

    done, signatory = attempt(work)
    if done:
        flash(_("%(name)s will sign for %(party)s.", name=signatory.name,
                party=rules.PARTY_LABELS[signatory.party]) + " " +
              (_("The signing link was sent to %(email)s.", email=signatory.email)
               if fixing.current_fixed(track) else _("The link will be sent once a version is fixed.")), "success")
    return _back(contract, track)


@bp.post("/contracts/<reference>/tracks/<int:track_id>/signatories/resend")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def resend(contract: Contract, track_id: int):
    """Send a new link to a party's signatory; the previous link stops working."""
    track = _track(contract, track_id)
    done, signatory = attempt(lambda: signatories.resend(track, request.form.get("party"),
                                                         actor=Actor.of(current_user), now=utcnow()))
    if done:
        flash(_("A new signing link was sent to %(email)s; the previous one no longer works.",
                email=signatory.email), "success")
    return _back(contract, track)


@bp.post("/contracts/<reference>/tracks/<int:track_id>/signing/fix")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def fix(contract: Contract, track_id: int):
    """Fix the newest agreement without blanks as the version to sign, and send the named signatories' links."""
    track = _track(contract, track_id)

    def work():
        now, actor = utcnow(), Actor.of(current_user)
        fixed = fixing.fix_later(track, actor=actor, now=now)
        signatories.send_links(track, fixed, actor=actor, now=now)
        return fixed

    done, fixed = attempt(work)
    if done:
        flash(_("Version %(n)d is fixed for signature.", n=fixed.document.version), "success")
    return _back(contract, track)


@bp.post("/contracts/<reference>/tracks/<int:track_id>/signing/elsewhere")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def elsewhere(contract: Contract, track_id: int):
    """Record a signature made elsewhere, with the signed PDF when one is attached."""
    track = _track(contract, track_id)
    upload = request.files.get("file")
    data = {"site": track.site.code, "action": "sign", "party": request.form.get("party"),
            "effective_at": request.form.get("effective_at"), "comment": request.form.get("comment"),
            "version": request.form.get("version")}

    def work():
        wanted = parse_action(contract, data, from_form=True)
        if wanted.party not in rules.PARTIES:
            raise InvalidInput({"party": _("Say who signed: %(p)s.", p=", ".join(rules.PARTIES))})
        pdf = upload.read() if upload is not None and upload.filename else None
        return evidence.record_elsewhere(track, wanted, pdf, actor=Actor.of(current_user), now=utcnow())

    done, event = attempt(work)
    if done:
        flash(_("%(what)s at %(site)s.", what=rules.event_label("sign", event.party), site=track.site.name),
              "success")
    return _back(contract, track)


@bp.post("/contracts/<reference>/tracks/<int:track_id>/signing/executed")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def rebuild(contract: Contract, track_id: int):
    """Build the executed agreement again after a conversion that failed."""
    track = _track(contract, track_id)
    done, _agreement = attempt(lambda: executed.rebuild(track, actor=Actor.of(current_user), now=utcnow()))
    if done:
        flash(_("The executed agreement of %(site)s is ready.", site=track.site.name), "success")
    return _back(contract, track)

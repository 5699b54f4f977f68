"""Who may take which action on which track (the "who" column of SPEC 2)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.people.roles import is_contract_sponsor, is_site_manager, is_site_staff
from tracker.stages import rules


def may_take(actor, rule: rules.Action, track, party: str | None) -> str | None:
    """None when the actor may take the action on this track, else the reason why not."""
    if actor.role == "system":
        return None
    if actor.role == "signatory":  # a signatory's one-time link, checked by tracker.signing, signs only
        return None if rule.name == "sign" else str(_l("Only site staff can take the action %(a)s.", a=rule.label))
    if actor.role == "sponsor":
        if not is_contract_sponsor(actor, track.contract):
            return str(_l("This contract belongs to another sponsor."))
        if rules.SPONSOR not in rule.who:
            return str(_l("Only site staff can take the action %(a)s.", a=rule.label))
        if rule.name == "sign" and party != "sponsor":
            return str(_l("A sponsor user records only the sponsor's signature."))
        return None
    if rules.MANAGER in rule.who:
        if is_site_manager(actor, track.site_id):
            return None
        return str(_l("Only a manager of the site or an admin can take the action %(a)s.", a=rule.label))
    if is_site_staff(actor, track.site_id):
        return None
    return str(_l("Only staff of %(site)s can act on its track.", site=track.site.name))


def open_parties(actor, track) -> list[str]:
    """The signatures this actor could still record on the track: a sponsor user only the sponsor's."""
    parties = ("sponsor",) if actor.role == "sponsor" else rules.PARTIES
    return [p for p in parties if not track.signatures.get(p)]


def allowed_actions(actor, track) -> list[rules.Action]:
    """The actions this actor could take on the track right now, the expected next move first."""
    result = []
    for rule in rules.ACTIONS.values():
        if track.stage not in rule.sources or (rule.track_role and rule.track_role != track.role):
            continue
        party = "sponsor" if actor.role == "sponsor" else None
        if rule.name == "sign" and not open_parties(actor, track):
            continue  # nothing left for this person to sign
        if may_take(actor, rule, track, party) is None:
            result.append(rule)
    return sorted(result, key=lambda r: (not r.next_move, r.name == "cancel"))

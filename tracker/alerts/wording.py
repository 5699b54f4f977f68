"""What each alert e-mail says, to whom: subjects and paragraphs in the recipient's language.

Called inside ``force_locale``; ``v`` holds the values already worded for the reader
(dates written out, stage names translated). Each audience gets its own message: the
owner or legal staff are asked to act, managers are told who has the file, sponsor
users are asked for what the site waits for.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext


def subject(kind: str, v: dict) -> str:
    if kind == "warning":
        sentence = _("Due soon: %(stage)s at %(site)s, due %(due)s", **v)
    elif kind == "breach":
        sentence = _("Overdue: %(stage)s at %(site)s, was due %(due)s", **v)
    elif kind == "escalation" and v.get("reason") == "round":
        sentence = _("Escalation: negotiation round %(round)s at %(site)s, %(stage)s", **v)
    elif kind == "escalation":
        sentence = _("Escalation: %(stage)s at %(site)s still overdue, was due %(due)s", **v)
    elif kind == "ceiling_warning":
        sentence = _("Regulatory deadline near: %(site)s must sign by %(ceiling)s", **v)
    elif kind == "ceiling_breach":
        sentence = _("Regulatory deadline passed: %(site)s, %(ceiling)s, not signed", **v)
    elif kind == "conformity_issue":
        sentence = _("Conformity issue reported by %(reporter_site)s", **v)
    else:
        sentence = _("Reminder: %(stage)s at %(site)s, awaiting your reply since %(since)s", **v)
    return f"[{v['reference']}] {sentence} — {v['short']}"


def _missing(v: dict) -> list[str]:
    if not v.get("missing_words"):
        return []
    return [_("Signatures still missing: %(parties)s.", parties=v["missing_words"])]


def paragraphs(kind: str, audience: str, v: dict) -> list[str]:
    """The body of an alert, one string per paragraph."""
    if kind == "warning":
        return [_("The stage “%(stage)s” of contract %(reference)s at %(site)s is due on %(due)s.", **v),
                _("Please complete it on %(due_full)s at the latest.", **v), *_missing(v)]
    if kind == "breach" and audience == "managers":
        who = _("It is with %(owner)s.", owner=v["owner"]) if v.get("owner") else \
            _("It has no owner; the site's legal staff have been told.")
        return [_("The stage “%(stage)s” of contract %(reference)s at your site %(site)s was due on %(due_full)s "
                  "and is overdue.", **v), who, *_missing(v)]
    if kind == "breach":
        return [_("The stage “%(stage)s” of contract %(reference)s at %(site)s was due on %(due_full)s and is "
                  "overdue.", **v), *_missing(v),
                _("Please act on it today, or tell your manager what is holding it up.")]
    if kind == "escalation" and v.get("reason") == "round":
        return [_("Negotiation round %(round)s started on %(started_full)s on contract %(reference)s at %(site)s, "
                  "beyond the limit of %(round_limit)s rounds.", **v),
                _("The contract is now in the stage “%(stage)s”. Consider settling the open points with the sponsor "
                  "directly.", **v)]
    if kind == "escalation":
        return [ngettext("The stage “%(stage)s” of contract %(reference)s at %(site)s was due on %(due_full)s and is "
                         "now %(num)d working day late.",
                         "The stage “%(stage)s” of contract %(reference)s at %(site)s was due on %(due_full)s and is "
                         "now %(num)d working days late.", v["days_late"], **v),
                _("It is escalated to you as a manager of the site."), *_missing(v)]
    if kind == "ceiling_warning":
        return [_("The regulatory deadline for contract %(reference)s at %(site)s is %(ceiling_full)s.", **v),
                _("The agreement must be signed by every party by then."), *_missing(v)]
    if kind == "ceiling_breach":
        return [_("The regulatory deadline for contract %(reference)s at %(site)s passed on %(ceiling_full)s "
                  "without a signed agreement.", **v), *_missing(v)]
    if kind == "conformity_issue":
        return [_("On %(reported_full)s, %(reporter_site)s reported that its contract for %(reference)s does not "
                  "carry the agreed terms:", **v), v.get("issue") or "",
                _("Answer the site, or reopen the terms if the agreed version must change.")]
    body = [_("Contract %(reference)s has been waiting for your reply since %(since_full)s (%(stage)s, %(site)s).",
              **v)]
    if (v.get("reminder") or 1) > 1:
        body.append(_("This is reminder number %(n)d.", n=v["reminder"]))
    body.append(_("Please send your answer, the missing documents or your signature so that the site can go on."))
    return body

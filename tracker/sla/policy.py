"""The SLA policy: default values, bounds, validation and reading versions (SPEC 3).

Every edit stores a new version (``tracker.sla.operations.save_policy``); events
remember the version in force when they were written, so a running stage keeps the
policy it started under and a ceiling keeps the one in force when it started.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Policy

DEFAULTS: dict = {
    # Working days allowed to the site for each stage it holds.
    "completeness": 2,
    "review_first_round": 5,
    "review_later_rounds": 3,
    "conformity": 2,
    "signature": 3,
    # Working days the sponsor may hold a track before it is reminded, then between reminders.
    "sponsor_reminder": 5,
    "sponsor_reminder_every": 5,
    # Working days after a signing link before its signatory is reminded, then between reminders.
    "signatory_reminder_every": 3,
    # Warning this many working days before the due day; escalation this many after it.
    "warning_before": 1,
    "escalation_after": 2,
    # Escalate when a negotiation round beyond this one starts (a 4th round by default).
    "round_limit": 3,
    # Regulatory ceilings in calendar days (French "contrat unique").
    "coordinating_ceiling": 45,
    "associated_ceiling": 15,
    # Warn legal staff and managers this many working days before an open track's ceiling.
    "ceiling_warning_before": 5,
    # The partners' own promise: a site holds an agreement no more than this many working days in all
    # (the metrics' within_target_pct; a track is measured with the policy its ceiling started under).
    "site_target_working_days": 20,
    # An amendment (avenant) changes a signed agreement: the policy may give it shorter review times
    # and ceilings than a first agreement (see AMENDMENT_SETTINGS).
    "amendment_review_first_round": 3,
    "amendment_review_later_rounds": 2,
    "amendment_coordinating_ceiling": 45,
    "amendment_associated_ceiling": 15,
    "roll_forward": True,
}
# The setting an amendment reads in place of each first agreement's one.
AMENDMENT_SETTINGS = {"review_first_round": "amendment_review_first_round",
                      "review_later_rounds": "amendment_review_later_rounds",
                      "coordinating_ceiling": "amendment_coordinating_ceiling",
                      "associated_ceiling": "amendment_associated_ceiling"}
BOUNDS = {
    "completeness": (1, 60), "review_first_round": (1, 60), "review_later_rounds": (1, 60), "conformity": (1, 60),
    "signature": (1, 60), "sponsor_reminder": (1, 60), "sponsor_reminder_every": (1, 60),
    "signatory_reminder_every": (1, 60), "warning_before": (0, 10), "escalation_after": (1, 30),
    "round_limit": (1, 20), "coordinating_ceiling": (1, 365), "associated_ceiling": (1, 365),
    "ceiling_warning_before": (0, 60), "site_target_working_days": (1, 365),
    "amendment_review_first_round": (1, 60), "amendment_review_later_rounds": (1, 60),
    "amendment_coordinating_ceiling": (1, 365), "amendment_associated_ceiling": (1, 365),
}
LABELS = {
    "completeness": _l("Completeness check (working days)"),
    "review_first_round": _l("Review, first round (working days)"),
    "review_later_rounds": _l("Review, later rounds (working days)"),
    "conformity": _l("Conformity check at an associated site (working days)"),
    "signature": _l("Site-side signatures (working days)"),
    "sponsor_reminder": _l("Remind the sponsor after (working days)"),
    "sponsor_reminder_every": _l("Remind the sponsor again every (working days)"),
    "signatory_reminder_every": _l("Remind a signatory who has not signed every (working days)"),
    "warning_before": _l("Warn this many working days before the due day"),
    "escalation_after": _l("Escalate this many working days after the due day"),
    "round_limit": _l("Escalate when a negotiation round beyond this number starts"),
    "coordinating_ceiling": _l("Regulatory ceiling, coordinating site (calendar days)"),
    "associated_ceiling": _l("Regulatory ceiling, associated site (calendar days)"),
    "ceiling_warning_before": _l("Warn this many working days before the regulatory ceiling"),
    "site_target_working_days": _l("Partners' target: working days a site holds an agreement in all"),
    "amendment_review_first_round": _l("Amendment review, first round (working days)"),
    "amendment_review_later_rounds": _l("Amendment review, later rounds (working days)"),
    "amendment_coordinating_ceiling": _l("Amendment ceiling, coordinating site (calendar days)"),
    "amendment_associated_ceiling": _l("Amendment ceiling, associated site (calendar days)"),
    "roll_forward": _l("Move ceilings that fall on a non-working day to the next working day"),
}

_cache: dict[int, dict] = {}


def settings_of(policy_id: int | None, amendment: bool = False) -> dict:
    """The settings of a policy version (versions never change, so they are cached); for an amendment,
    its own review times and ceilings stand in for a first agreement's."""
    if policy_id is None:
        settings = dict(DEFAULTS)
    else:
        if policy_id not in _cache:
            policy = db.session.get(Policy, policy_id)
            _cache[policy_id] = {**DEFAULTS, **(policy.settings if policy else {})}
        settings = _cache[policy_id]
    if amendment:
        return {**settings, **{name: settings[own] for name, own in AMENDMENT_SETTINGS.items()}}
    return settings


def current_policy() -> Policy | None:
    return db.session.execute(db.select(Policy).order_by(Policy.id.desc()).limit(1)).scalar_one_or_none()


def current_policy_id() -> int | None:
    policy = current_policy()
    return policy.id if policy else None


def clear_cache() -> None:
    _cache.clear()


def validate(data: dict) -> dict:
    """Clean a submitted policy; InvalidInput names every field out of bounds."""
    errors, clean = {}, {}
    for name, default in DEFAULTS.items():
        value = data.get(name, default)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                errors[name] = str(_l("Expected true or false."))
            clean[name] = value
            continue
        low, high = BOUNDS[name]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = str(_l("Expected a whole number from %(low)d to %(high)d.", low=low, high=high))
        clean[name] = value
    unknown = sorted(set(data) - set(DEFAULTS))
    for name in unknown:
        errors[name] = str(_l("Unknown setting."))
    if errors:
        raise InvalidInput(errors)
    return clean

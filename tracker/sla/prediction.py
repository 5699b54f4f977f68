"""The predicted signature date of an open track (SPEC 5b ``predicted_execution_on``).

The prediction is the rest of the current stage plus the typical length of each
stage still to come, counted in the site's working days, so it always falls on a
working day. A typical stage length is the historical median where enough contracts
have been executed, else the policy's allowance. The stages still to come follow
the round the track is in: before the first sponsor round one round is assumed;
once the sponsor has replied, the review left is a later-round review and no
further round is assumed. So a reply never pushes the prediction later.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from tracker.stages import rules

# (stage, later round?) pairs still to come after the current stage, by where the track is.
FIRST_REVIEW = (rules.REVIEW, False)
LATER_REVIEW = (rules.REVIEW, True)
COORDINATING_AHEAD = {
    rules.AWAITING_DOCUMENTS: [(rules.COMPLETENESS, False), FIRST_REVIEW, (rules.WITH_SPONSOR, False),
                               LATER_REVIEW, (rules.SIGNATURE, False)],
    rules.COMPLETENESS: [FIRST_REVIEW, (rules.WITH_SPONSOR, False), LATER_REVIEW, (rules.SIGNATURE, False)],
    rules.WITH_SPONSOR: [LATER_REVIEW, (rules.SIGNATURE, False)],
    rules.SIGNATURE: [],
}
ASSOCIATED_AHEAD = {
    rules.WAITING_COORDINATOR: [(rules.CONFORMITY, False), (rules.SIGNATURE, False)],
    rules.CONFORMITY: [(rules.SIGNATURE, False)],
    rules.SIGNATURE: [],
}

StageDays = Callable[[str, str, bool], int]


def policy_stage_days(stage: str, later: bool, settings: dict) -> int:
    """Planned working days of a whole stage visit, from the policy."""
    return {
        rules.COMPLETENESS: settings["completeness"],
        rules.AWAITING_DOCUMENTS: settings["sponsor_reminder"],
        rules.REVIEW: settings["review_later_rounds"] if later else settings["review_first_round"],
        rules.WITH_SPONSOR: settings["sponsor_reminder"],
        rules.CONFORMITY: settings["conformity"],
        rules.SIGNATURE: settings["signature"] + settings["sponsor_reminder"],
    }.get(stage, 0)


def stage_days(medians: dict | None, settings: dict) -> StageDays:
    """Typical working days of a stage visit: the median where known, else the policy."""

    def days(role: str, stage: str, later: bool) -> int:
        if medians and (role, stage, later) in medians:
            return round(medians[(role, stage, later)])
        return policy_stage_days(stage, later, settings)

    return days


def _ahead(state) -> list[tuple[str, bool]]:
    if state.role == "associated":
        return ASSOCIATED_AHEAD.get(state.stage, [])
    if state.stage == rules.REVIEW:
        # Before any sponsor round, one is assumed; after a reply, agreement is next.
        return [(rules.WITH_SPONSOR, False), LATER_REVIEW, (rules.SIGNATURE, False)] if state.round == 0 \
            else [(rules.SIGNATURE, False)]
    return COORDINATING_AHEAD.get(state.stage, [])


def _on_working_day(calendar, today: date, working_days: int) -> date:
    return calendar.add_working_days(today, working_days) if working_days > 0 else calendar.next_working_day(today)


def predict(state, calendar, days: StageDays, coordinator_agreement_on: date | None = None) -> date | None:
    """The expected date of the track's last signature, or None once it is closed."""
    if state.closed:
        return None
    ahead = sum(days(state.role, stage, later) for stage, later in _ahead(state))
    if state.stage == rules.WAITING_COORDINATOR:
        start = max(coordinator_agreement_on or state.today, state.today)
        return _on_working_day(calendar, start, ahead)
    later = state.stage == rules.REVIEW and state.round > 0
    spent = calendar.working_days_between(state.stage_entered_on, state.today)
    current = max(days(state.role, state.stage, later) - spent, 0)
    return _on_working_day(calendar, state.today, current + ahead)


def agreement_on(state, calendar, days: StageDays, predicted: date | None) -> date | None:
    """When the coordinator is expected to agree: its prediction less its signature stage."""
    if predicted is None or state.stage in (rules.SIGNATURE, *rules.CLOSED_STAGES):
        return None
    return calendar.add_working_days(predicted, -days("coordinating", rules.SIGNATURE, False))

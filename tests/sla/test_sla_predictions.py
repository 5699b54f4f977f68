"""The predicted signature date (SPEC 5b ``predicted_execution_on``): always a working day, and never
pushed later by the sponsor's reply (issue 15: it fell on weekends, and a reply moved it later).

The property tests walk a coordinating track through random negotiation histories over the French
2026-2027 calendar, with the policy's stage lengths or with arbitrary historical medians, and
compare the prediction just before and just after each reply, on the same day.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.stages import rules
from tracker.sla import prediction
from tracker.sla.calendar import CalendarSpec, calendar_for
from tracker.sla.clocks import EventFact
from tracker.sla.policy import settings_of
from tracker.sla.state import state_of_events

CALENDAR = calendar_for(CalendarSpec(country="FR"))
CALENDARS = (CALENDAR, CALENDAR)
STAGES = (rules.COMPLETENESS, rules.AWAITING_DOCUMENTS, rules.REVIEW, rules.WITH_SPONSOR, rules.SIGNATURE,
          rules.CONFORMITY)

medians = st.none() | st.dictionaries(
    st.tuples(st.just("coordinating"), st.sampled_from(STAGES), st.booleans()),
    st.floats(min_value=0, max_value=40, allow_nan=False), max_size=12)
rounds = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 30)), min_size=1, max_size=6)


def _history(start: date, review_then_hold: list[tuple[int, int]]) -> list[tuple[EventFact, ...]]:
    """Facts of a coordinating track: received, complete, then per round a review and a sponsor hold.

    Returns, for each reply, (facts while the sponsor holds the file, the reply's fact).
    """
    facts = [EventFact(rules.RECEIVE, rules.COMPLETENESS, 0, None, start, None),
             EventFact("mark_complete", rules.REVIEW, 0, None, start + timedelta(days=1), None)]
    day, replies = start + timedelta(days=1), []
    for number, (review, hold) in enumerate(review_then_hold, start=1):
        day += timedelta(days=review)
        facts.append(EventFact("send_to_sponsor", rules.WITH_SPONSOR, number, None, day, None))
        day += timedelta(days=hold)
        reply = EventFact("sponsor_replied", rules.REVIEW, number, None, day, None)
        replies.append((tuple(facts), reply))
        facts.append(reply)
    return replies


def _predict(facts, today: date, stage_medians) -> date:
    state = state_of_events("coordinating", list(facts), CALENDARS, today)
    return prediction.predict(state, CALENDAR, prediction.stage_days(stage_medians, settings_of(None)))


@settings(max_examples=300, deadline=None, database=None)
@given(start=st.dates(date(2026, 1, 1), date(2027, 10, 31)), history=rounds, stage_medians=medians)
def test_a_reply_never_pushes_the_prediction_later(start, history, stage_medians):
    for held, reply in _history(start, history):
        before = _predict(held, reply.on, stage_medians)
        after = _predict(held + (reply,), reply.on, stage_medians)
        assert after <= before, (reply.on, reply.round, before, after)


@settings(max_examples=300, deadline=None, database=None)
@given(start=st.dates(date(2026, 1, 1), date(2027, 10, 31)), history=rounds, stage_medians=medians,
       looked=st.integers(0, 60), agree=st.booleans())
def test_every_prediction_is_a_working_day(start, history, stage_medians, looked, agree):
    held, reply = _history(start, history)[-1]
    facts = list(held + (reply,))
    if agree:  # on to signature, where an overdue stage once predicted "today", a Sunday
        facts.append(EventFact("agree", rules.SIGNATURE, reply.round, None, reply.on, None))
    for fact_count in range(1, len(facts) + 1):
        seen = facts[:fact_count]
        today = seen[-1].on + timedelta(days=looked)
        predicted = _predict(seen, today, stage_medians)
        assert predicted >= today and CALENDAR.is_working_day(predicted), (today, seen[-1].action, predicted)


@pytest.mark.parametrize("weekend", [date(2026, 5, 9), date(2026, 5, 10)])  # Saturday, Sunday
def test_an_overdue_signature_is_predicted_for_the_next_working_day_not_today(weekend):
    facts = [EventFact(rules.RECEIVE, rules.COMPLETENESS, 0, None, date(2026, 3, 2), None),
             EventFact("mark_complete", rules.REVIEW, 0, None, date(2026, 3, 3), None),
             EventFact("agree", rules.SIGNATURE, 0, None, date(2026, 3, 4), None)]
    assert _predict(facts, weekend, None) == date(2026, 5, 11)  # Monday, not the weekend day itself


def test_the_review_after_a_reply_is_a_later_round_review_with_no_extra_round():
    """Sent and answered on Monday 5 October 2026. With the sponsor: the rest of its 5 days, a later
    review (3) and the signature (3 + 5), 16 working days. Once it replied: review of round 1 (3) and
    signature, 11 working days - not a first-round review of 5 and one more sponsor round."""
    held, reply = _history(date(2026, 10, 1), [(3, 0)])[0]
    assert reply.on == date(2026, 10, 5)
    assert _predict(held, reply.on, None) == date(2026, 10, 27)
    assert _predict(held + (reply,), reply.on, None) == date(2026, 10, 20)


def test_the_api_prediction_drops_or_stays_when_the_sponsor_replies_now(api, make_user, make_sponsor, make_contract):
    """The same rule seen through GET /contracts/REF, at the real present, whatever day it is."""
    now = datetime.now(timezone.utc)
    reference = make_contract(make_sponsor(), received_on=(now - timedelta(days=20)).date())
    lawyer = api(make_user("legal", "GR"))
    for action, days_ago in (("mark_complete", 12), ("send_to_sponsor", 9)):
        response = lawyer.post(f"/contracts/{reference}/events", json={
            "site": "GR", "action": action, "effective_at": (now - timedelta(days=days_ago)).isoformat()})
        assert response.status_code == 201, response.text

    def predicted() -> date:
        track = next(t for t in lawyer.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
        return date.fromisoformat(track["predicted_execution_on"])

    before = predicted()
    assert lawyer.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "sponsor_replied"}
                       ).status_code == 201
    after = predicted()
    assert after <= before
    assert CALENDAR.is_working_day(before) and CALENDAR.is_working_day(after)

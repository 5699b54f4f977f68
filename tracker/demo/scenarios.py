"""The first demo contracts, walked through the real operations one action at a time.

Each follows one of ``SCENARIOS``, so the small demo set shows every stage; the agreements of
the first ``DEMO_AGREEMENTS`` are generated before their terms are agreed, so they can be signed
online. The executed agreement ``AMENDED`` has its trial's regulatory dates and an amendment under way.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from tracker.contracts.amendments import create_amendment
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.demo.trials import ASSOCIATED_BUDGET, BUDGET, INVESTIGATOR_DETAILS, INVESTIGATORS, TRIALS
from tracker.documents.library import default_template
from tracker.documents.operations import contract_language, generate
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import Contract, Document, Sponsor
from tracker.contracts.regulatory import update_regulatory
from tracker.pipeline.operations import apply_action
from tracker.signing.pdf import convert_ahead
from tracker.stages.signed import signed_on
from tracker.timeutil import local_date, zone

# The first demo contracts get their agreements generated before agreement, so they can be signed online;
# the large benchmark sets skip it.
DEMO_AGREEMENTS = 12
AMENDED = 9  # an agreement signed at both sites (its scenario below)
# What happens to each demo contract: (track role, action, party), in order.
C, A = "coordinating", "associated"
OPENING = [(C, "mark_complete", None)]
ROUND = [(C, "send_to_sponsor", None), (C, "sponsor_replied", None)]
SCENARIOS = (
    [],
    [(C, "mark_incomplete", None)],
    OPENING,
    OPENING + [ROUND[0]],
    OPENING + ROUND,
    OPENING + ROUND * 2 + [ROUND[0]],
    OPENING + ROUND + [(C, "agree", None)],
    OPENING + ROUND + [(C, "agree", None), (C, "sign", "institution"), (A, "conformity_ok", None)],
    OPENING + ROUND * 2 + [(C, "agree", None), (C, "sign", "institution"), (C, "sign", "investigator"),
                           (C, "sign", "sponsor"), (A, "conformity_ok", None), (A, "sign", "sponsor")],
    OPENING + ROUND + [(C, "agree", None), (A, "conformity_ok", None)]
    + [(role, "sign", p) for role in (C, A) for p in ("sponsor", "institution", "investigator")],
    OPENING + [ROUND[0], (C, "cancel", None)],
    OPENING + ROUND * 3 + [ROUND[0]],
)


def live_contracts(indexes: range, now: datetime, sponsors: list[Sponsor], staff: dict, progress=None) -> None:
    """Walk these demo contracts side by side, each as far as its next agreement; convert the versions
    they generated for it to PDF in one LibreOffice run (starting LibreOffice costs more than a
    conversion), and go on. The contracts are created in the order of ``indexes``."""
    walks = [live_contract(index, now, sponsors, staff) for index in indexes]
    while walks:
        going, documents = [], []
        for walk in walks:
            try:
                documents += next(walk)
                going.append(walk)
            except StopIteration:
                if progress:
                    progress(1)
        convert_ahead(documents, now=now)
        walks = going


def live_contract(index: int, now: datetime, sponsors: list[Sponsor], staff: dict) -> Iterator[list[Document]]:
    """Create demo contract ``index`` as a person would and take its scenario's actions with ``apply_action``;
    before an agreement, pause with the versions generated for it (see ``live_contracts``)."""
    rnd = random.Random(index)
    steps = SCENARIOS[index % len(SCENARIOS)]
    coordinating = "GR" if index % 3 else "IB"
    associated = "IB" if coordinating == "GR" else "GR"
    gaps = [rnd.randint(1, 5) for _ in steps]
    start = local_date(now) - timedelta(days=sum(gaps) + rnd.randint(1, 4))
    title, acronym, phase, indication = TRIALS[index % len(TRIALS)]
    sponsor = sponsors[index % len(sponsors)]
    taking_part = [coordinating] if index % 7 == 5 else [coordinating, associated]
    draft = parse_contract({
        "sponsor_id": sponsor.id, "title": title, "acronym": f"{acronym}-{index + 1:02d}",
        "protocol_number": f"{acronym[:3]}-{2026 + index // 500}-{index + 1:04d}", "phase": phase,
        "coordinating_site": coordinating, "sites": taking_part,
        "received_on": start.isoformat(), "indication": indication, "patients": rnd.choice([12, 24, 36, 60]),
        "investigators": {code: INVESTIGATORS[code] for code in taking_part},
        "budget": BUDGET,
        "site_details": {code: {**INVESTIGATOR_DETAILS[code],
                                **({} if code == coordinating else {"patients": rnd.choice([4, 6, 8]),
                                                                   "budget": ASSOCIATED_BUDGET})}
                         for code in taking_part},
    }, today=local_date(now))
    contract = create_contract(draft, actor=staff[coordinating], now=now)
    day = start
    tracks = {t.role: t for t in contract.tracks}
    for (role, action, party), gap in zip(steps, gaps):
        track = tracks.get(role)
        if track is None:
            continue
        day += timedelta(days=gap)
        at = datetime.combine(day, time(10, rnd.randint(0, 59)), tzinfo=zone("Europe/Paris"))
        actor = staff["manager:" + track.site.code] if action == "cancel" else staff[track.site.code]
        if action in ("agree", "conformity_ok") and index < DEMO_AGREEMENTS:
            document = _agreement(contract, track, actor, now)  # so the agreement fixes a version to sign
            if document is not None:
                yield [document]
        apply_action(track, action, actor=actor, now=now, effective_at=min(at, now), party=party,
                     comment="Sponsor withdrew the study" if action == "cancel" else None)


def _agreement(contract: Contract, track, actor, now: datetime) -> Document | None:
    """Fill the site's agreement from its default template before its terms are agreed (SPEC 5c)."""
    template = default_template(track.role, contract_language(contract))
    if template is None:
        return None
    try:
        with db.session.begin_nested():
            return generate(contract, track.site.code, template, actor=actor, now=now, today=local_date(now))
    except DomainError:
        return None  # no template stored yet (a database seeded before init-db): agreed without a version to sign


def activate_and_amend(now: datetime, staff: dict) -> None:
    """Demo contract ``AMENDED``, executed: its trial authorised through CTIS and opened at its coordinating
    site, then a first amendment received (more patients), completeness checked: what staff record after
    signature. Nothing when that contract is not there or not executed, or already amended."""
    contracts = db.session.execute(db.select(Contract).where(Contract.amends_id.is_(None))
                                   .order_by(Contract.id).offset(AMENDED).limit(1)).scalars().all()
    if not contracts or contracts[0].status != "executed" or contracts[0].amendments:
        return
    contract = contracts[0]
    today, signed = local_date(now), signed_on(contract)
    coordinating = contract.coordinating_track.site.code
    actor = staff[coordinating]
    update_regulatory(contract, {
        "ctis_submitted_on": (contract.received_on - timedelta(days=20)).isoformat(),
        "authorised_on": min(signed, contract.received_on + timedelta(days=25), today).isoformat(),
        "site_regulatory": {coordinating: {"activated_on": min(signed + timedelta(days=1), today).isoformat()}},
    }, actor=actor, now=now)
    amendment = create_amendment(contract, {
        "title": "Amendment 1: 12 more patients and a dose-expansion cohort", "received_on": today.isoformat(),
        "sites": [t.site.code for t in contract.ordered_tracks]}, actor=actor, now=now)
    apply_action(amendment.coordinating_track, "mark_complete", actor=actor, now=now)

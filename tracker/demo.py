"""Demo data: sponsors, people of every role and contracts with realistic histories.

Every contract is walked through the real pipeline operation, so the demo data
obeys the same rules, events and audit trail as live data.
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from tracker import audit
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, User
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.documents.library import default_template
from tracker.documents.operations import contract_language, generate
from tracker.errors import DomainError
from tracker.models.sites import PARTNER_SITES
from tracker.people.operations import create_sponsor, create_user
from tracker.people.sites import update_site
from tracker.people.sponsors import update_sponsor
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date, zone

DEMO_PASSWORD = "fasttrack-demo"
# The first demo contracts get their agreements generated before agreement, so they can be signed online;
# the large benchmark sets skip it.
DEMO_AGREEMENTS = 12
SPONSORS = (
    ("Novacure Oncology SA", "FR"),
    ("Helix Therapeutics Inc.", "US"),
    ("Borealis Pharma GmbH", "DE"),
)
# Full legal identities, so that demo agreements have no blanks (fictitious companies and numbers).
IDENTITIES = {
    "Novacure Oncology SA": {
        "legal_name": "Novacure Oncology SA", "legal_form": "société anonyme",
        "registration_number": "832147565", "vat_number": "FR73832147565",
        "address": "18 rue de la Pépinière, 75008 Paris, France", "representative": "Laura Novak",
        "representative_title": "Présidente directrice générale", "language": "fr",
        "contacts": [{"name": "Laura Novak", "email": "sponsor@novacure.example", "role": "Clinical operations",
                      "phone": "+33 1 44 00 12 34"}]},
    "Helix Therapeutics Inc.": {
        "legal_name": "Helix Therapeutics, Inc.", "legal_form": "Delaware corporation",
        "registration_number": "Delaware file no. 7395521",
        "address": "200 Binney Street, Cambridge, MA 02142, United States", "representative": "Mark Ellison",
        "representative_title": "Chief Executive Officer", "language": "en",
        "contacts": [{"name": "Mark Ellison", "email": "sponsor@helix.example", "role": "Clinical contracts"}]},
    "Borealis Pharma GmbH": {
        "legal_name": "Borealis Pharma GmbH", "legal_form": "Gesellschaft mit beschränkter Haftung",
        "registration_number": "Amtsgericht München HRB 245871", "vat_number": "DE287654321",
        "address": "Leopoldstraße 120, 80802 München, Germany", "representative": "Dr. Jonas Weber",
        "representative_title": "Geschäftsführer", "language": "en"},
}
SITE_IDENTITIES = {
    "GR": {"representative": "Pr Élise Moreau", "representative_title": "Directrice générale",
           "signatory_name": "Pr Élise Moreau", "signatory_email": "direction@gr.tracker.example"},
    "IB": {"representative": "M. Laurent Vidal", "representative_title": "Directeur général",
           "signatory_name": "M. Laurent Vidal", "signatory_email": "direction@ib.tracker.example"},
}
INVESTIGATORS = {"GR": "Dr Claire Martin", "IB": "Dr Paul Garnier"}
PEOPLE = (
    ("admin@tracker.example", "Camille Admin", "admin", None, None),
    ("manager.gr@tracker.example", "Hélène Marchand", "manager", "GR", None),
    ("legal.gr@tracker.example", "Julien Lefèvre", "legal", "GR", None),
    ("manager.ib@tracker.example", "Sophie Bernard", "manager", "IB", None),
    ("legal.ib@tracker.example", "Antoine Dubois", "legal", "IB", None),
    ("sponsor@novacure.example", "Laura Novak", "sponsor", None, "Novacure Oncology SA"),
    ("sponsor@helix.example", "Mark Ellison", "sponsor", None, "Helix Therapeutics Inc."),
)
TRIALS = (
    ("Phase I dose-escalation of NVC-114 in advanced solid tumours", "ESCALADE", "I", "Advanced solid tumours"),
    ("Anti-CLDN18.2 ADC in gastric adenocarcinoma", "CLAUDIA", "I/II", "Gastric adenocarcinoma"),
    ("KRAS G12C inhibitor with cetuximab in colorectal cancer", "KRASCOL", "II", "Metastatic colorectal cancer"),
    ("Bispecific T-cell engager in relapsed sarcoma", "SARC-BITE", "I", "Soft-tissue sarcoma"),
    ("Adjuvant PARP inhibitor in BRCA-mutated breast cancer", "PARPAD", "III", "Early breast cancer"),
)
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


def _ensure_identities(now: datetime) -> None:
    """Give the demo sponsors and both partner sites every field their agreements print.

    Only empty fields are filled (and the partners' placeholder representative), so what
    an admin entered survives a second seed-demo.
    """
    for name, country in SPONSORS:
        sponsor = db.session.execute(db.select(Sponsor).where(Sponsor.name == name)).scalar_one_or_none()
        if sponsor is None:
            create_sponsor({"name": name, "country": country, **IDENTITIES[name]}, actor=audit.SYSTEM, now=now)
            continue
        gaps = {k: v for k, v in IDENTITIES[name].items() if k != "contacts" and not getattr(sponsor, k)}
        if gaps:
            update_sponsor(sponsor, gaps, actor=audit.SYSTEM, now=now)
    placeholders = {values["code"]: values for values in PARTNER_SITES}
    for code, identity in SITE_IDENTITIES.items():
        site = db.session.execute(db.select(Site).where(Site.code == code)).scalar_one_or_none()
        if site is None:
            continue
        seeded = placeholders.get(code, {})
        gaps = {k: v for k, v in identity.items()
                if not getattr(site, k) or getattr(site, k) == seeded.get(k)}
        if gaps:
            update_site(site, gaps, actor=audit.SYSTEM, now=now)


def _ensure_people(now: datetime) -> list[tuple[str, str, str]]:
    _ensure_identities(now)
    logins = []
    for email, name, role, site, sponsor in PEOPLE:
        if not db.session.execute(db.select(User.id).where(User.email == email)).first():
            create_user({"email": email, "name": name, "role": role, "site": site, "sponsor": sponsor,
                         "password": DEMO_PASSWORD}, actor=audit.SYSTEM, now=now)
        logins.append((email, role, site or sponsor or "all sites"))
    return logins


def _demo_contract(index: int, now: datetime, sponsors: list[Sponsor], staff: dict) -> None:
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
        "budget": [{"item": "Screening visit", "amount": 450, "unit": "EUR per patient"},
                   {"item": "Treatment visit (cycle)", "amount": 820, "unit": "EUR per patient"},
                   {"item": "Archiving", "amount": 1500, "unit": "EUR flat"}],
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
            _agreement(contract, track, actor, now)  # so the agreement fixes a version the parties can sign
        apply_action(track, action, actor=actor, now=now, effective_at=min(at, now), party=party,
                     comment="Sponsor withdrew the study" if action == "cancel" else None)


def _agreement(contract: Contract, track, actor, now: datetime) -> None:
    """Fill the site's agreement from its default template before its terms are agreed (SPEC 5c)."""
    template = default_template(track.role, contract_language(contract))
    if template is None:
        return
    try:
        with db.session.begin_nested():
            generate(contract, track.site.code, template, actor=actor, now=now, today=local_date(now))
    except DomainError:
        pass  # no template stored yet (a database seeded before init-db): agreed without a version to sign


def _bulk_plan(sponsors: list[Sponsor], today):
    """What bulk demo contract ``index`` is: sites, sponsor, trial and the day it was received."""
    from tracker.demo_bulk import received_on

    def plan(index: int) -> dict:
        coordinating = "GR" if index % 3 else "IB"
        associated = [] if index % 7 == 5 else ["IB" if coordinating == "GR" else "GR"]
        title, acronym, phase, indication = TRIALS[index % len(TRIALS)]
        received = received_on(index, today)
        return {"coordinating": coordinating, "associated": associated,
                "sponsor_id": sponsors[(index * 5) % len(sponsors)].id, "title": title,
                "acronym": f"{acronym}-{index + 1:02d}", "phase": phase, "indication": indication,
                "protocol_number": f"{acronym[:3]}-{received.year}-{index + 1:05d}",
                "patients": (12, 24, 36, 60)[index % 4], "received_on": received,
                "investigators": {code: INVESTIGATORS[code] for code in [coordinating, *associated]},
                "budget": BUDGET}
    return plan


BUDGET = [{"item": "Screening visit", "amount": 450, "unit": "EUR per patient"},
          {"item": "Treatment visit (cycle)", "amount": 820, "unit": "EUR per patient"},
          {"item": "Archiving", "amount": 1500, "unit": "EUR flat"}]


def _more_sponsors(now: datetime) -> None:
    from tracker.demo_histories import MORE_SPONSORS

    for name, country in MORE_SPONSORS:
        if not db.session.execute(db.select(Sponsor.id).where(Sponsor.name == name)).first():
            create_sponsor({"name": name, "country": country}, actor=audit.SYSTEM, now=now)


def seed(*, count: int, now: datetime, echo=print, progress=None) -> list[tuple[str, str, str]]:
    """Add what is missing of the demo set, up to ``count`` demo contracts.

    The first ``DEMO_AGREEMENTS`` contracts go through the pipeline one action at a time,
    with their agreements generated; the others are loaded in bulk (``demo_bulk``) with the
    same rules. ``progress(n)`` is told of every ``n`` contracts added.
    """
    from tracker.demo_bulk import CHUNK, Loader, realign_sequences, refresh_statistics

    logins = _ensure_people(now)
    if count > DEMO_AGREEMENTS:
        _more_sponsors(now)
    db.session.commit()
    existing = db.session.execute(db.select(db.func.count(Contract.id))).scalar()
    sponsors = db.session.execute(
        db.select(Sponsor).where(Sponsor.name.in_([n for n, _ in SPONSORS])).order_by(Sponsor.id)).scalars().all()
    staff = {}
    for site in db.session.execute(db.select(Site)).scalars():
        for role in ("legal", "manager"):
            user = db.session.execute(db.select(User).where(User.site_id == site.id, User.role == role)).scalars().first()
            if user:
                staff[site.code if role == "legal" else "manager:" + site.code] = audit.Actor.of(user)
    if progress:
        progress(min(existing, count))  # already there
    live_until = min(count, DEMO_AGREEMENTS)
    for index in range(existing, live_until):
        _demo_contract(index, now, sponsors, staff)
        if progress:
            progress(1)
    db.session.commit()
    start = max(existing, live_until)
    if count > start:
        everyone = db.session.execute(db.select(Sponsor).order_by(Sponsor.id)).scalars().all()
        sites = {s.code: s for s in db.session.execute(db.select(Site)).scalars()}
        loader = Loader(now=now, plan=_bulk_plan(everyone, local_date(now)), sites=sites, staff=staff)
        first_loaded = (db.session.execute(db.select(db.func.max(Contract.id))).scalar() or 0) + 1
        for first in range(start, count, CHUNK):
            chunk = range(first, min(first + CHUNK, count))
            loader.load(chunk)
            db.session.commit()
            if progress:
                progress(len(chunk))
        realign_sequences()
        refresh_statistics()
        db.session.commit()
        # The loaded history's deadlines have passed long ago: record what they raised, unsent.
        from tracker.alerts.sweep import sweep

        sweep(now, imported=True, from_contract_id=first_loaded)
        db.session.commit()
    if count > existing:
        echo(f"Created {count - existing} demo contracts.")
    return logins

"""The demo contracts' trials: titles, investigators and budgets, shared by the live and the bulk demo contracts."""
from __future__ import annotations

from datetime import date, timedelta

from tracker.contracts.input import ContractDraft
from tracker.models import Site, Sponsor

YEARS_OF_HISTORY = 4
TRIALS = (
    ("Phase I dose-escalation of NVC-114 in advanced solid tumours", "ESCALADE", "I", "Advanced solid tumours"),
    ("Anti-CLDN18.2 ADC in gastric adenocarcinoma", "CLAUDIA", "I/II", "Gastric adenocarcinoma"),
    ("KRAS G12C inhibitor with cetuximab in colorectal cancer", "KRASCOL", "II", "Metastatic colorectal cancer"),
    ("Bispecific T-cell engager in relapsed sarcoma", "SARC-BITE", "I", "Soft-tissue sarcoma"),
    ("Adjuvant PARP inhibitor in BRCA-mutated breast cancer", "PARPAD", "III", "Early breast cancer"),
)
INVESTIGATORS = {"GR": "Claire Martin", "IB": "Paul Garnier"}
# How the agreements name each site's investigator (fictitious RPPS numbers that pass the checksum).
INVESTIGATOR_DETAILS = {
    "GR": {"investigator_title": "Dr", "investigator_rpps": "10000000009",
           "investigator_department": "Département d'innovation thérapeutique et d'essais précoces"},
    "IB": {"investigator_title": "Dr", "investigator_rpps": "12345678903",
           "investigator_department": "Unité de recherche clinique"},
}
# An associated site's own figures: fewer patients, its own grid.
ASSOCIATED_BUDGET = [{"item": "Screening visit", "amount": 420, "unit": "EUR per patient"},
                     {"item": "Treatment visit (cycle)", "amount": 780, "unit": "EUR per visit"},
                     {"item": "Archiving", "amount": 1200, "unit": "EUR flat"}]
BUDGET = [{"item": "Screening visit", "amount": 450, "unit": "EUR per patient"},
          {"item": "Treatment visit (cycle)", "amount": 820, "unit": "EUR per visit"},
          {"item": "Archiving", "amount": 1500, "unit": "EUR flat"}]


def bulk_plan(sponsors: list[Sponsor], sites: dict[str, Site], today: date):
    """What bulk demo contract ``index`` is, as the draft a person would have entered: ``plan(index)``."""

    def plan(index: int) -> ContractDraft:
        coordinating = "GR" if index % 3 else "IB"
        associated = [] if index % 7 == 5 else ["IB" if coordinating == "GR" else "GR"]
        title, acronym, phase, indication = TRIALS[index % len(TRIALS)]
        received = received_on(index, today)
        return ContractDraft(
            sponsor=sponsors[(index * 5) % len(sponsors)], title=title, acronym=f"{acronym}-{index + 1:02d}",
            protocol_number=f"{acronym[:3]}-{received.year}-{index + 1:05d}", phase=phase, indication=indication,
            coordinating_site=sites[coordinating], associated_sites=[sites[code] for code in associated],
            patients=(12, 24, 36, 60)[index % 4], received_on=received, budget=BUDGET,
            investigators={code: INVESTIGATORS[code] for code in [coordinating, *associated]})
    return plan


def received_on(index: int, today: date) -> date:
    """Spread over several years, a little denser lately as the network grows."""
    span = YEARS_OF_HISTORY * 365
    fraction = ((index * 2654435761) % 100_003) / 100_003  # deterministic, evenly spread
    return today - timedelta(days=int(span * fraction ** 1.3))

"""The dashboard's tables in the reader's language, for the page's downloads (CSV and .xlsx).

Each table is a heading row of translated labels and rows of plain values (numbers stay
numbers, dates stay dates); the writers decide how to spell them for the reader.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.metrics import activation
from tracker.metrics import dashboard as data
from tracker.metrics import sites
from tracker.stages import rules
from tracker.sla.policy import current_policy_id, settings_of
from tracker.web.shared.xlsx_export import Sheet

FIGURE_LABELS = {
    "contracts": _l("Contracts"),
    "executed": _l("Executed contracts"),
    "cancelled": _l("Cancelled contracts"),
    "open": _l("Open contracts"),
    "median_days_to_agreement": _l("Median days from the complete file to agreement"),
    "median_days_to_execution": _l("Median days from the complete file to full execution"),
    "median_days_from_receipt_to_agreement": _l("Median days from receipt to agreement"),
    "median_days_from_receipt_to_execution": _l("Median days from receipt to full execution"),
    "within_sla_pct": _l("Stages finished within their deadline"),
    "median_site_held_working_days": _l("Median working days held by the site"),
    "median_sponsor_held_days": _l("Median days held by the sponsor"),
    "median_rounds": _l("Median negotiation rounds"),
}
PERCENTS = {"within_sla_pct"}  # labelled "(%)" outside the translated words, which keep no stray percent sign
FILTER_LABELS = {"site": _l("Site"), "sponsor_id": _l("Sponsor"), "phase": _l("Phase"), "from": _l("Received from"),
                 "to": _l("Received until"), "kind": _l("Kind of contract")}
BENCHMARK_LABELS = {
    "regulatory_ceiling_days": _l("Regulatory ceiling, coordinating site (calendar days)"),
    "associated_ceiling_days": _l("Regulatory ceiling, associated site (calendar days)"),
    "site_target_working_days": _l("Partners' target: working days a site holds an agreement in all"),
    "national_target_days": _l("National target (days)"),
    "historic_national_average_days": _l("Historic national average (days)"),
    "us_median_days_to_agreement": _l("US academic sites: median days from receipt to agreement"),
    "us_median_days_to_execution": _l("US academic sites: median days from receipt to full execution"),
}
CONTRACT_STATUS = {"open": _l("Open"), "executed": rules.STAGE_LABELS[rules.EXECUTED],
                   "cancelled": rules.STAGE_LABELS[rules.CANCELLED]}
GROUP_LABELS = {"sponsor": _l("Sponsor"), "phase": _l("Phase"), "year": _l("Year signed")}
BREAKDOWN_TITLES = {"sponsor": _l("By sponsor"), "phase": _l("By phase"), "year": _l("By year signed")}


def figure_table(figures: dict) -> tuple[list, list]:
    """The headline figures, the filters, the tracks per stage and the reference values, one per line."""
    rows = [(f"{FIGURE_LABELS[k]} (%)" if k in PERCENTS else FIGURE_LABELS[k], figures[k]) for k in FIGURE_LABELS]
    rows += [(_l("Filter: %(name)s", name=FILTER_LABELS[k]), v) for k, v in figures["filters"].items()]
    rows += [(_l("Tracks in stage: %(stage)s", stage=rules.STAGE_LABELS[s]), n) for s, n in figures["stages"].items()]
    rows += [(_l("Within the deadline (%%): %(stage)s", stage=rules.STAGE_LABELS[s]), v["pct"])
             for s, v in figures["within_sla_by_stage"].items()]
    rows += [(BENCHMARK_LABELS[k], v) for k, v in figures["benchmarks"].items() if k in BENCHMARK_LABELS]
    return [_l("Figure"), _l("Value")], rows


def ceilings() -> dict[str, int]:
    """The ceiling in force per role and the partners' target, from the current policy."""
    settings = settings_of(current_policy_id())
    return {"coordinating": settings["coordinating_ceiling"], "associated": settings["associated_ceiling"],
            "target": settings["site_target_working_days"]}


def site_table(rows: list[dict], by: str | None, limits: dict) -> tuple[list, list]:
    """Per site and role (and group): executed agreements, each clock, its ceiling and target and the shares."""
    signed, held = _("Signed within the ceiling"), _("Held within the target")
    columns = [_l("Site"), _l("Role")] + ([GROUP_LABELS[by]] if by else []) + [
        _l("Executed site agreements"), _l("Median days to signature (from the site's clock start)"),
        _l("Ceiling (calendar days)"), f"{signed} (%)", _l("Median days from receipt"),
        _l("Target (working days held by the site)"), f"{held} (%)",
        _l("Median working days held by the site"), _l("Median days held by the sponsor")]
    body = []
    for r in rows:
        body.append([r["site"], str(rules.ROLE_LABELS.get(r["role"], r["role"])).capitalize()] + ([r["group"]] if by else []) + [
            r["executed"], r["median_days_to_signature"], limits.get(r["role"]), r["within_ceiling_pct"],
            r["median_days_from_receipt"], limits["target"], r["within_target_pct"],
            r["median_site_held_working_days"], r["median_sponsor_held_days"]])
    return columns, body


ACTIVATION_COLUMNS = (_l("Site"), _l("Executed site agreements"), _l("Sites activated"),
                      _l("Median days from signature to activation"), _l("First patients in"),
                      _l("Median days from activation to the first patient"))


def activation_table(rows: list[dict]) -> tuple[tuple, list]:
    """Per site: signature → activation → first patient (``tracker.metrics.activation``)."""
    return ACTIVATION_COLUMNS, [[r["site"], r["executed"], r["activated"], r["median_days_to_activation"],
                                 r["first_patients"], r["median_days_to_first_patient"]] for r in rows]


CONTRACT_COLUMNS = (_l("Reference"), _l("Sponsor"), _l("Phase"), _l("Received on"), _l("Status"),
                    _l("Complete file on"), _l("Agreed on"), _l("Executed on"),
                    _l("Days from the complete file to agreement"), _l("Days from the complete file to execution"),
                    _l("Negotiation rounds"), _l("Site"), _l("Site outcome"), _l("Working days held by the site"),
                    _l("Calendar days held by the site"), _l("Calendar days held by the sponsor"),
                    _l("Working days held by the sponsor"))


def contract_table(scope) -> tuple[tuple, object]:
    """The per-contract figures (``metrics.dashboard.figure_rows``) with words for statuses."""
    def rows():
        for row in data.figure_rows(scope):
            values = list(row)
            values[4] = CONTRACT_STATUS.get(values[4], values[4])
            values[12] = rules.STAGE_LABELS.get(values[12], values[12]) if values[12] else None
            yield values
    return CONTRACT_COLUMNS, rows()


def workbook_sheets(figures: dict, scope, breakdowns: dict[str, list], per_role: list[dict]) -> list[Sheet]:
    """Every table of the dashboard, one sheet each."""
    limits = ceilings()
    sheets = [Sheet(_l("Figures"), *figure_table(figures)),
              Sheet(_l("Sites"), *site_table(per_role, None, limits))]
    for by in sites.BREAKDOWNS:
        sheets.append(Sheet(BREAKDOWN_TITLES[by], *site_table(breakdowns[by], by, limits)))
    sheets.append(Sheet(_l("Activation"), *activation_table(activation.site_medians(scope))))
    sheets.append(Sheet(_l("Contracts"), *contract_table(scope)))
    return sheets

"""Every field a contract template may use: what it means, where it is entered, a sample value.

SPEC 5 lists the fields "available to every template (more may be added)"; the legal
identity added here (legal name and form, VAT number, representatives' titles) is part of
them. The labels are what a person reads in "the sponsor's registration number is missing".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tracker.documents.engine.checks import TEMPLATE_FIELDS


@dataclass(frozen=True)
class FieldInfo:
    label: object  # lazy string: "the sponsor's registration number"
    description: object
    source: str  # where a person enters it: sponsor, site, contract, or auto (the app fills it)
    sample: object


def _f(label, description, source, sample) -> FieldInfo:
    return FieldInfo(label, description, source, sample)


FIELDS: dict[str, FieldInfo] = {
    "sponsor.name": _f(_l("the sponsor's name"), _l("The name the company is known by."), "sponsor",
                       "Novacure Oncology"),
    "sponsor.legal_name": _f(_l("the sponsor's legal name"), _l("The name under which the company is registered."),
                             "sponsor", "Novacure Oncology SA"),
    "sponsor.legal_form": _f(_l("the sponsor's legal form"), _l("SA, SAS, GmbH, Inc. and so on."), "sponsor",
                             "société anonyme"),
    "sponsor.share_capital": _f(_l("the sponsor's share capital"), _l("As printed, such as 1 000 000 €."),
                                "sponsor", "1 000 000 €"),
    "sponsor.rcs_city": _f(_l("the city of the sponsor's trade register (RCS)"),
                           _l("The RCS the company is entered at, such as Paris."), "sponsor", "Paris"),
    "sponsor.designation": _f(_l("the sponsor's legal name and form"),
                              _l("Legal name and legal form, as the agreement and the signature certificate print "
                                 "them."), "sponsor", "Novacure Oncology SA, société anonyme"),
    "sponsor.registration_number": _f(_l("the sponsor's registration number"),
                                      _l("SIREN or SIRET for a French company; the register's number elsewhere."),
                                      "sponsor", "552100554"),
    "sponsor.address": _f(_l("the sponsor's registered address"), _l("The registered office."), "sponsor",
                          "12 rue de la Paix, 75002 Paris"),
    "sponsor.country": _f(_l("the sponsor's country"), _l("Two-letter ISO code."), "sponsor", "FR"),
    "sponsor.vat_number": _f(_l("the sponsor's VAT number"), _l("Intra-community VAT number."), "sponsor",
                             "FR40303265045"),
    "sponsor.representative": _f(_l("the name of the sponsor's representative"),
                                 _l("The person who signs for the sponsor."), "sponsor", "Laura Novak"),
    "sponsor.representative_title": _f(_l("the title of the sponsor's representative"),
                                       _l("Their function, such as Chief Executive Officer."), "sponsor",
                                       "Présidente directrice générale"),
    "site.code": _f(_l("the site's code"), _l("Short code of the site."), "auto", "GR"),
    "site.name": _f(_l("the site's name"), _l("The name the site is known by."), "site", "Gustave Roussy"),
    "site.legal_name": _f(_l("the site's legal name"), _l("The institution as registered."), "site",
                          "Institut Gustave Roussy"),
    "site.address": _f(_l("the site's address"), _l("The institution's registered office."), "site",
                       "114 rue Édouard-Vaillant, 94805 Villejuif Cedex"),
    "site.finess": _f(_l("the site's FINESS number"), _l("9 digits."), "site", "940000664"),
    "site.siret": _f(_l("the site's SIRET number"), _l("14 digits."), "site", "77573104500016"),
    "site.representative": _f(_l("the name of the site's representative"),
                              _l("The person who signs for the institution."), "site", "Pr Élise Moreau"),
    "site.representative_title": _f(_l("the title of the site's representative"), _l("Such as Director General."),
                                    "site", "Directrice générale"),
    "site.role": _f(_l("the site's role"), _l("coordinating or associated."), "auto", "coordinating"),
    "site.designation": _f(_l("the site's legal name"), _l("The institution as the agreement names it."), "site",
                           "Institut Gustave Roussy"),
    "site.third_party": _f(_l("the site's third-party structure"),
                           _l("The GCS or association that manages part of the sums for the site, if any."),
                           "contract", "GCS Recherche Clinique Sud-Ouest, 229 cours de l'Argonne, 33000 Bordeaux"),
    "site.patients": _f(_l("the number of patients planned at the site"),
                        _l("The site's own figure, else the contract's."), "contract", 12),
    "site.budget": _f(_l("the site's budget"), _l("The site's own rows, else the contract's."), "contract", None),
    "site.budget[].item": _f(_l("a budget row's item"), _l("A visit or service."), "contract", "Screening visit"),
    "site.budget[].amount": _f(_l("a budget row's amount"), _l("Amount excluding VAT, such as 450.00."),
                               "contract", "450.00"),
    "site.budget[].amount_text": _f(_l("a budget row's amount in words of the template's language"),
                                    _l("Such as 1 200,00 € or €1,200.00."), "auto", "450,00 €"),
    "site.budget[].unit": _f(_l("a budget row's unit"), _l("Such as EUR per patient."), "contract",
                             "EUR per patient"),
    "site.budget[].unit_text": _f(_l("a budget row's unit in the template's language"), _l("Such as par patient."),
                                  "auto", "par patient"),
    "investigator.name": _f(_l("the principal investigator at the site"),
                            _l("Entered per site on the contract."), "contract", "Dr Claire Martin"),
    "investigator.title": _f(_l("the investigator's title"), _l("Such as Dr or Pr, and their function."),
                             "contract", "Dr"),
    "investigator.department": _f(_l("the investigator's department"), _l("The department at the site."),
                                  "contract", "Département d'innovation thérapeutique"),
    "investigator.rpps": _f(_l("the investigator's RPPS number"), _l("11 digits."), "contract", "10000000009"),
    "contract.reference": _f(_l("the contract's reference"), _l("Given by the tracker."), "auto", "FT-2026-0001"),
    "contract.title": _f(_l("the trial's title"), _l("Full title of the trial."), "contract",
                         "Phase I dose-escalation of NVC-114 in advanced solid tumours"),
    "contract.acronym": _f(_l("the trial's acronym"), _l("Short name of the trial."), "contract", "ESCALADE"),
    "contract.protocol_number": _f(_l("the protocol number"), _l("The sponsor's protocol number."), "contract",
                                   "NVC-114-001"),
    "contract.eu_ct_number": _f(_l("the EU CT number"), _l("The trial's number in CTIS, such as 2024-512345-21-00."),
                                "contract", "2024-512345-21-00"),
    "contract.phase": _f(_l("the trial's phase"), _l("I, I/II, II, III or IV."), "contract", "I"),
    "contract.indication": _f(_l("the indication"), _l("The disease the trial treats."), "contract",
                              "Advanced solid tumours"),
    "contract.cro": _f(_l("the contract research organisation"),
                       _l("The CRO acting for the sponsor, with its legal identity, if any."), "contract",
                       "Clinexa France SAS, 5 rue de Lyon, 75012 Paris"),
    "contract.patients": _f(_l("the number of patients planned"), _l("Patients expected at the site."),
                            "contract", 24),
    "budget": _f(_l("the per-visit budget"), _l("Rows of item, amount and unit."), "contract", None),
    "budget[].item": _f(_l("a budget row's item"), _l("A visit or service."), "contract", "Screening visit"),
    "budget[].amount": _f(_l("a budget row's amount"), _l("Amount excluding VAT, such as 450.00."), "contract",
                          "450.00"),
    "budget[].unit": _f(_l("a budget row's unit"), _l("Such as EUR per patient."), "contract", "EUR per patient"),
    "budget[].amount_text": _f(_l("a budget row's amount in words of the template's language"),
                               _l("Such as 1 200,00 € or €1,200.00."), "auto", "450,00 €"),
    "budget[].unit_text": _f(_l("a budget row's unit in the template's language"), _l("Such as par patient."),
                             "auto", "par patient"),
    "budget_total": _f(_l("the total of the site's budget"), _l("The sum of its rows, such as 2770.00."), "auto",
                       "2770.00"),
    "budget_total_text": _f(_l("the total of the site's budget in words of the template's language"),
                            _l("Such as 2 770,00 €."), "auto", "2 770,00 €"),
    "contract.amendment_number": _f(_l("the amendment's number"), _l("1 for REF-A1, 2 for REF-A2..."), "auto", 1),
    "amends.reference": _f(_l("the reference of the agreement amended"), _l("For an amendment: the agreement it "
                                                                            "changes."), "auto", "FT-2026-0001"),
    "amends.title": _f(_l("the trial title of the agreement amended"), _l("For an amendment."), "auto",
                       "Phase I study of NVC-114 in advanced solid tumours"),
    "amends.signed_on": _f(_l("the day the agreement amended was signed"), _l("Its last signature."), "auto",
                           "2026-06-15"),
    "amends.signed_on_text": _f(_l("the day the agreement amended was signed, in words"),
                                _l("Such as 15 juin 2026."), "auto", "15 juin 2026"),
    "today": _f(_l("the date of generation"), _l("The day the agreement is filled, in the site's time zone."),
                "auto", "2026-11-20"),
    "today_text": _f(_l("the date of generation in words"), _l("Such as 20 novembre 2026."), "auto",
                     "20 novembre 2026"),
}
# The coordinating site's fields, for an associated site's agreement: the same as the site's, so named.
for _name, _same in (("code", "site.code"), ("name", "site.name"), ("legal_name", "site.legal_name"),
                     ("designation", "site.designation"), ("address", "site.address"), ("finess", "site.finess"),
                     ("siret", "site.siret"), ("representative", "site.representative"),
                     ("representative_title", "site.representative_title"), ("role", "site.role"),
                     ("patients", "site.patients"), ("investigator", "investigator.name")):
    _info = FIELDS[_same]
    FIELDS[f"coordinating_site.{_name}"] = _f(_l("%(label)s (coordinating site)", label=_info.label),
                                              _l("The same field for the contract's coordinating site."),
                                              "site" if _info.source == "site" else _info.source, _info.sample)
ALL_FIELDS: frozenset[str] = frozenset(FIELDS) | TEMPLATE_FIELDS


def label(field: str) -> str:
    info = FIELDS.get(field)
    return str(info.label) if info else field


def sample_context() -> dict:
    """A complete context of sample values, for previews of a template."""
    context: dict = {}
    for path, info in FIELDS.items():
        if "[]" in path or path.endswith("budget"):
            continue
        section, _, name = path.partition(".")
        if name:
            context.setdefault(section, {})[name] = info.sample
        else:
            context[section] = info.sample
    context["budget"] = [
        {"item": "Screening visit", "amount": "450.00", "amount_text": "450,00 €", "unit": "EUR per patient",
         "unit_text": "par patient"},
        {"item": "Treatment visit (cycle)", "amount": "820.00", "amount_text": "820,00 €", "unit": "EUR per visit",
         "unit_text": "par visite"},
        {"item": "Archiving", "amount": "1500.00", "amount_text": "1 500,00 €", "unit": "EUR flat",
         "unit_text": "forfait"},
    ]
    context["site"]["budget"] = [dict(row) for row in context["budget"]]
    return context


def value_at(context: dict, field: str):
    """The value a dotted field has in a context ("budget[].item": the list of the rows' items)."""
    if "[]." in field:
        rows_at, _, name = field.partition("[].")
        rows = value_at(context, rows_at) or []
        return [row.get(name) if isinstance(row, dict) else None for row in rows]
    value = context
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value

"""Forms for the staff pages; the rules themselves live in the operations.

Fields here only carry what was typed: every check (required fields, SIRET checksums, budget
amounts) is made by the feature's operation, whose per-field messages ``place_errors`` puts
beside the fields they concern; ``render_form`` then answers the page with 422 while any are left.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from flask import render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, FieldList, Form, FormField, HiddenField, SelectField, SelectMultipleField, StringField,
    TextAreaField, widgets,
)
from wtforms.fields.choices import SelectChoice

from tracker.contracts.budget import MAX_ROWS
from tracker.errors import DomainError, InvalidInput
from tracker.models.contracts import PHASES
from tracker.pipeline.permissions import allowed_actions
from tracker.transaction import atomic

BLANK_BUDGET_ROWS = 3


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Two-letter codes CLDR names that are no country: groupings, pseudo-locales, reserved or unknown regions.
NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})


def country_choices() -> list[SelectChoice]:
    """Two-letter countries named in the page's language, by name."""
    names = get_locale().territories
    codes = sorted((code for code in names if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES),
                   key=lambda code: names[code])
    return [SelectChoice("", "—")] + [SelectChoice(code, f"{names[code]} ({code})") for code in codes]


class SponsorIdentityForm(Form):
    """A sponsor's legal identity, in the sponsor pages and when a contract creates its sponsor."""

    name = StringField(_l("Name"), description=_l("The name the company is known by."))
    legal_name = StringField(_l("Legal name"), description=_l("As registered, such as Novacure Oncology SA."))
    legal_form = StringField(_l("Legal form"), description=_l("SA, SAS, GmbH, Inc. and so on."))
    share_capital = StringField(_l("Share capital"), description=_l("As the agreements print it, such as 1 000 000 €."))
    country = SelectField(_l("Country"), validate_choice=False)
    registration_number = StringField(
        _l("Registration number"),
        description=_l("For a French company its SIREN (9 digits) or SIRET (14 digits); elsewhere the register's "
                       "number."))
    rcs_city = StringField(_l("RCS city"), description=_l("The trade and companies register it is entered at, "
                                                           "such as Paris."))
    address = TextAreaField(_l("Registered address"))
    vat_number = StringField(_l("VAT number"), description=_l("Such as FR40303265045."))
    representative = StringField(_l("Representative"), description=_l("The person who signs for the sponsor."))
    representative_title = StringField(_l("Representative's title"),
                                       description=_l("Such as Chief Executive Officer."))
    language = SelectField(_l("Language of its agreements"), choices=[
        SelectChoice("", _l("French for a French sponsor, else English")), SelectChoice("fr", _l("French")),
        SelectChoice("en", _l("English"))], validate_choice=False)

    def identity(self) -> dict:
        return {name: (field.data or "") for name, field in self._fields.items()}


class BudgetRowForm(Form):
    item = StringField(_l("Item"))
    amount = StringField(_l("Amount (EUR, excl. VAT)"))
    unit = StringField(_l("Unit"))

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.item, self.amount, self.unit))


class InvestigatorForm(Form):
    """One participating site's line: its investigator, and its own figures for its agreement (site_details)."""

    site = HiddenField()
    name = StringField(_l("Principal investigator"))
    investigator_title = StringField(_l("Investigator's title"), description=_l("Such as Dr or Pr."))
    investigator_department = StringField(_l("Department"))
    investigator_rpps = StringField(_l("RPPS number"), description=_l("11 digits."))
    patients = StringField(_l("This site's patients"),
                           description=_l("Leave empty to use the contract's number."))
    budget = TextAreaField(_l("This site's own budget"), description=_l(
        "One row per line: item; amount; unit (such as Screening visit; 450; EUR per patient). Leave empty to "
        "use the contract's budget."))
    third_party = StringField(_l("Third-party structure"), description=_l(
        "The GCS or association that manages part of the sums for this site, with its identity; usually empty."))

    DETAILS = ("investigator_title", "investigator_department", "investigator_rpps", "patients", "budget",
               "third_party")

    def details(self) -> dict:
        """This line's site_details, budget lines read as rows."""
        values = {name: (getattr(self, name).data or "").strip() for name in self.DETAILS}
        lines = [line for line in values["budget"].splitlines() if line.strip()]
        values["budget"] = [dict(zip(("item", "amount", "unit"), (part.strip() for part in line.split(";"))))
                            for line in lines]
        return values

    def fill(self, track) -> None:
        for name in ("investigator_title", "investigator_department", "investigator_rpps", "third_party"):
            getattr(self, name).data = getattr(track, name) or ""
        self.patients.data = str(track.patients or "")
        self.budget.data = "\n".join(f"{row['item']}; {row['amount']}; {row['unit']}" for row in track.budget or [])


class ContractDetailsForm(FlaskForm):
    """What a contract says about the trial: shared by the creation and the edit pages."""

    title = StringField(_l("Trial title"))
    acronym = StringField(_l("Acronym"))
    protocol_number = StringField(_l("Protocol number"))
    eu_ct_number = StringField(_l("EU CT number"))
    phase = SelectField(_l("Phase"), choices=[SelectChoice("", "—")] + [SelectChoice(p, p) for p in PHASES])
    indication = StringField(_l("Indication"))
    patients = StringField(_l("Patients planned"))
    cro = StringField(_l("Contract research organisation"), description=_l(
        "The CRO acting for the sponsor, as the agreement names it (name, form, address); usually empty."))
    language = SelectField(_l("Language of the agreements to sign"), validate_choice=False,  # checked with the rest
                           choices=[SelectChoice("", _l("The sponsor's language")), SelectChoice("fr", _l("French")),
                                    SelectChoice("en", _l("English"))],
                           description=_l("A version in another language is a courtesy copy: never fixed for "
                                          "signature unless named."))
    investigators = FieldList(FormField(InvestigatorForm), max_entries=500)
    budget = FieldList(FormField(BudgetRowForm), min_entries=1, max_entries=MAX_ROWS + 10)

    def budget_rows(self) -> list[tuple[int, BudgetRowForm]]:
        """The rows someone filled, with their position (blank rows are left out)."""
        return [(i, entry.form) for i, entry in enumerate(self.budget.entries) if not entry.form.is_blank()]

    def site_details(self, taking_part) -> dict[str, dict]:
        return {e.form.site.data: e.form.details() for e in self.investigators.entries
                if e.form.site.data in taking_part}

    def place_site_errors(self, errors: dict) -> dict:
        """Put "site_details.GR.investigator_rpps" beside that site's field, and "investigators.GR" beside its
        investigator's name; returns the other errors."""
        lines = {e.form.site.data: e.form for e in self.investigators.entries}
        left = {}
        for key, message in errors.items():
            _prefix, _, rest = key.partition("site_details.")
            code, _, name = rest.partition(".")
            field = getattr(lines.get(code), name, None) if key.startswith("site_details.") and name in \
                InvestigatorForm.DETAILS else None
            if key.startswith("investigators."):
                field = getattr(lines.get(key.partition(".")[2]), "name", None)
            if field is None:
                left[key] = message
            else:
                field.errors = list(field.errors) + [str(message)]
        return left

    def investigator_names(self) -> dict[str, str]:
        return {e.form.site.data: e.form.name.data.strip() for e in self.investigators.entries
                if e.form.site.data and (e.form.name.data or "").strip()}


class ContractForm(ContractDetailsForm):
    sponsor = StringField(_l("Sponsor"), description=_l("Type a few letters and pick the sponsor."))
    new_sponsor = FormField(SponsorIdentityForm)
    coordinating_site = SelectField(_l("Coordinating site"))
    sites = MultiCheckboxField(_l("Associated sites"))
    received_on = StringField(_l("Received on"))


class OwnerForm(FlaskForm):
    owner = SelectField(_l("Owner"), validate_choice=False)


class ActionForm(FlaskForm):
    action = HiddenField()
    version = HiddenField()
    party = SelectField(_l("Party"), choices=[
        SelectChoice("institution", _l("Institution")), SelectChoice("investigator", _l("Investigator")),
        SelectChoice("sponsor", _l("Sponsor"))])
    effective_at = StringField(_l("Effective date and time"))
    comment = TextAreaField(_l("Comment"))
    for_sponsor = BooleanField(_l("Visible to the sponsor"))


@dataclass
class Attempt:
    """How an operation run from a form went: done with its value, or refused with the problems
    left for the top of the page (the rest are beside their fields)."""

    done: bool
    value: Any = None
    problems: list[str] = dataclass_field(default_factory=list)


def attempt_form(form, work: Callable[[], Any], place: Callable[[dict], list[str]] | None = None) -> Attempt:
    """Run ``work`` as one transaction; a refusal puts input errors beside their fields (with
    ``place`` where a form lays its errors out itself) and explains the others."""
    try:
        with atomic():
            value = work()
    except InvalidInput as exc:
        return Attempt(False, problems=(place or (lambda errors: place_errors(form, errors)))(exc.errors))
    except DomainError as exc:
        return Attempt(False, problems=[exc.explain()])
    return Attempt(True, value)


def render_form(template: str, form, problems: list[str], **context) -> tuple[str, int]:
    """The form's page with its problems: 422 while the form or the operation found any, else 200."""
    return render_template(template, form=form, problems=problems, **context), (
        422 if problems or form.errors else 200)


def place_errors(form, errors: dict, *, prefix: str = "") -> list[str]:
    """Put each message beside its field ("contacts.2.email": the second contact's e-mail).

    Returns the messages that belong to no field of the form, for the top of the page.
    """
    left = []
    for key, message in errors.items():
        if prefix and not key.startswith(prefix):
            continue
        field = _find(form, key[len(prefix):].split("."))
        if field is None:
            left.append(str(message))
        else:
            field.errors = list(field.errors) + [str(message)]
    return left


def _find(form, parts: list[str]):
    field = form._fields.get(parts[0]) if hasattr(form, "_fields") else None
    for part in parts[1:]:
        if isinstance(field, FieldList):
            index = int(part) - 1 if part.isdigit() else -1
            field = field.entries[index] if 0 <= index < len(field.entries) else None
        elif isinstance(field, FormField):
            field = field.form._fields.get(part)
        else:
            return None
        if field is not None and isinstance(field, FormField) and part == parts[-1]:
            return None
    if isinstance(field, FormField):
        return None
    return field


def action_forms(actor, track, form_class) -> list[tuple]:
    """The actions this person may take on the track now, each with its own form carrying the track's version
    (so a move made meanwhile by someone else is refused, not repeated)."""
    forms = []
    for rule in allowed_actions(actor, track):
        form = form_class(prefix=f"t{track.id}-{rule.name}", formdata=None)
        form.version.data = str(track.version)
        forms.append((rule, form))
    return forms

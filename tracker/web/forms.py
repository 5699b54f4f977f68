"""Forms for the staff pages; the rules themselves live in the operations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice

from tracker.models.contracts import PHASES


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ContractForm(FlaskForm):
    sponsor_id = SelectField(_l("Sponsor"), coerce=str)
    title = StringField(_l("Trial title"))
    acronym = StringField(_l("Acronym"))
    protocol_number = StringField(_l("Protocol number"))
    eu_ct_number = StringField(_l("EU CT number"))
    phase = SelectField(_l("Phase"), choices=[SelectChoice("", "—")] + [SelectChoice(p, p) for p in PHASES])
    indication = StringField(_l("Indication"))
    patients = StringField(_l("Patients planned"))
    investigator = StringField(_l("Principal investigator (coordinating site)"))
    coordinating_site = SelectField(_l("Coordinating site"))
    sites = MultiCheckboxField(_l("Associated sites"))
    received_on = StringField(_l("Received on"))
    budget = TextAreaField(
        _l("Per-visit budget"),
        description=_l("One row per line: item | amount | unit, for example: Screening visit | 450 | EUR per patient"),
    )


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

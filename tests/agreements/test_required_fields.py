"""Which fields a template needs: printed ones; not those only tested, guarded or given a default."""
import hashlib
import io
from types import SimpleNamespace

import docx

from tracker.documents.blanks import find_blanks, required_fields


def _template(*paragraphs: str, header: str | None = None):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    return SimpleNamespace(content=data, sha256=hashlib.sha256(data).hexdigest())


def test_printed_fields_are_required_and_tested_ones_optional():
    template = _template(
        "{{ sponsor.name }}, registered under {{ sponsor.registration_number }}",
        "{% if contract.eu_ct_number %}EU CT {{ contract.eu_ct_number }}{% endif %}",
        "{% if sponsor.vat_number %}VAT registered{% endif %}",
        "{{ contract.acronym|default('no acronym') }}",
        "{{ contract.indication if contract.indication else 'to be confirmed' }}",
        header="Ref. {{ contract.reference }}")
    assert required_fields(template) == {"sponsor.name", "sponsor.registration_number", "contract.reference"}


def test_a_guard_on_one_field_does_not_excuse_another():
    template = _template("{% if contract.eu_ct_number %}{{ contract.eu_ct_number }} for {{ sponsor.address }}"
                         "{% else %}{{ sponsor.representative }}{% endif %}")
    assert required_fields(template) == {"sponsor.address", "sponsor.representative"}


def test_budget_rows_are_required_through_the_loop_variable():
    template = _template("{% for row in budget %}{{ row.item }}: {{ row.amount }}{% endfor %}")
    assert required_fields(template) == {"budget", "budget[].item", "budget[].amount"}
    guarded = _template("{% if budget %}{% for row in budget %}{{ row.item }}{% endfor %}{% endif %}")
    assert required_fields(guarded) == set()


def test_blanks_are_listed_by_label_in_a_stable_order(ctx):
    template = _template("{{ contract.patients }} {{ sponsor.registration_number }} {{ investigator.name }} "
                         "{% for row in budget %}{{ row.unit }}{% endfor %}")
    context = {"sponsor": {"registration_number": "  "}, "investigator": {"name": "Dr Martin"},
               "contract": {"patients": None}, "budget": [{"unit": "EUR"}, {"unit": ""}]}
    blanks = find_blanks(template, context)
    assert [b.field for b in blanks] == ["sponsor.registration_number", "contract.patients", "budget[].unit"]
    assert blanks[0].message == "The sponsor's registration number is missing."
    assert [b.source for b in blanks] == ["sponsor", "contract", "contract"]
    context["budget"] = []
    assert [b.field for b in find_blanks(template, context)][-1] == "budget"

"""The language of a contract's agreements (SPEC 5d): chosen at creation, editable until the terms are agreed."""
from tests.helpers.contracts import contract_audit, edit_form
from tests.helpers.web import EN
from tracker.extensions import db
from tracker.models import Contract


def _language(app, reference) -> str:
    with app.app_context():
        return db.session.execute(db.select(Contract.language).where(Contract.reference == reference)).scalar_one()


def test_the_language_is_edited_and_audited(client, app, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor())
    assert _language(app, reference) == "fr"
    login(make_user("legal", "GR"))
    url = f"/contracts/{reference}/edit"
    assert 'name="language"' in client.get(url, headers=EN).get_data(as_text=True)
    bad = client.post(url, data=edit_form(client, url, language="de"), headers=EN)
    assert bad.status_code == 422 and "Unknown language" in bad.get_data(as_text=True)
    assert _language(app, reference) == "fr"
    client.post(url, data=edit_form(client, url, language="en"), headers=EN)
    assert _language(app, reference) == "en"
    assert ("contract", "language", "fr", "en") in contract_audit(app, reference)
    client.post(url, data=edit_form(client, url), headers=EN)  # a post without the field keeps it
    assert _language(app, reference) == "en"


def test_a_sponsor_writing_in_english_gets_english_contracts(app, make_sponsor, make_contract):
    assert _language(app, make_contract(make_sponsor("Helix Therapeutics Inc.", "US", language="en"))) == "en"
    assert _language(app, make_contract(make_sponsor("Genmab A/S", "DK"))) == "en"
    assert _language(app, make_contract(make_sponsor("Pharma Lyon", "FR", language="fr"))) == "fr"
    assert _language(app, make_contract(make_sponsor("Oncodesign SA"), language="en")) == "en"

"""flask sponsors create with the legal identity options."""
from tracker.extensions import db
from tracker.models import Sponsor


def test_sponsors_create_takes_the_legal_identity(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=[
        "sponsors", "create", "--name", "Novacure Oncology", "--country", "FR", "--legal-name",
        "Novacure Oncology SA", "--legal-form", "SA", "--registration-number", "832 147 565", "--address",
        "18 rue de la Pépinière, 75008 Paris", "--vat-number", "FR73832147565", "--representative", "Laura Novak",
        "--representative-title", "Présidente", "--language", "fr"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sponsor = db.session.get(Sponsor, int(result.output.strip()))
        assert (sponsor.registration_number, sponsor.vat_number, sponsor.representative_title, sponsor.language) == (
            "832147565", "FR73832147565", "Présidente", "fr")


def test_sponsors_create_refuses_a_bad_siren_and_stores_nothing(app):
    result = app.test_cli_runner().invoke(args=[
        "sponsors", "create", "--name", "Novacure Oncology", "--country", "FR", "--registration-number", "832147566",
        "--language", "de"])
    assert result.exit_code == 1
    assert "registration_number: 832147566 fails the SIREN checksum" in result.output
    assert "language: Choose fr or en." in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Sponsor.id))).scalar() == 0

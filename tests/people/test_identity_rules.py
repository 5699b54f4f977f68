"""The legal identity rules: SIREN/SIRET checksums, FINESS, VAT keys, time zones and calendars."""
import pytest

from tracker.people import identity


def _check(reader, *args):
    errors = {}
    value = reader(*args, errors)
    return value, errors


@pytest.mark.parametrize("number, expected", [
    ("832 147 565", "832147565"),          # SIREN, typed with spaces
    ("832.147.565", "832147565"),
    ("77573104500016", "77573104500016"),  # SIRET
    ("356 000 000 00051", "35600000000051"),  # La Poste: digit sum divisible by 5
])
def test_french_registration_numbers_with_a_valid_checksum_are_kept_as_digits(ctx, number, expected):
    assert _check(identity.registration_number, number, "FR") == (expected, {})


@pytest.mark.parametrize("number, words", [
    ("832147566", "checksum"),
    ("77573104200011", "checksum"),
    ("83214756", "9 digits"),
    ("RCS Paris B 832 147 565", "9 digits"),
])
def test_french_registration_numbers_are_refused_with_the_reason(ctx, number, words):
    value, errors = _check(identity.registration_number, number, "FR")
    assert value is None and words in str(errors["registration_number"])


def test_registration_numbers_elsewhere_are_free_text(ctx):
    assert _check(identity.registration_number, "Amtsgericht München HRB 245871", "DE") == (
        "Amtsgericht München HRB 245871", {})
    assert "registration_number" in _check(identity.registration_number, "x" * 65, "US")[1]


def test_siret_and_finess(ctx):
    assert _check(identity.siret, "775 731 045 00016") == ("77573104500016", {})
    assert "checksum" in str(_check(identity.siret, "77573104200011")[1]["siret"])
    assert "14 digits" in str(_check(identity.siret, "775731042")[1]["siret"])
    assert _check(identity.finess, "940000664") == ("940000664", {})
    assert _check(identity.finess, "2A0000012") == ("2A0000012", {})
    assert "9 digits" in str(_check(identity.finess, "94000066")[1]["finess"])


def test_vat_numbers(ctx):
    assert identity.vat_number("FR 73 832147565", "832147565", {}) == "FR73832147565"
    errors = {}
    assert identity.vat_number("FR74832147565", None, errors) is None and "key" in str(errors["vat_number"])
    errors = {}
    identity.vat_number("FR40303265045", "832147565", errors)
    assert "303265045" in str(errors["vat_number"])  # another company's SIREN
    assert identity.vat_number("DE287654321", None, {}) == "DE287654321"
    errors = {}
    assert identity.vat_number("12345", None, errors) is None and "vat_number" in errors


def test_time_zones_countries_and_subdivisions(ctx):
    assert _check(identity.time_zone, "Europe/Paris") == ("Europe/Paris", {})
    assert "Mars/Olympus" in str(_check(identity.time_zone, "Mars/Olympus")[1]["timezone"])
    assert _check(identity.calendar_country, "de") == ("DE", {})
    assert "timezone" not in _check(identity.calendar_country, "QQ")[1] and "country" in \
        _check(identity.calendar_country, "QQ")[1]
    assert identity.subdivision("57", "FR", {}) == "57"
    assert identity.subdivision("67", "FR", {}) == "67"  # Bas-Rhin, read as Alsace by the calendar
    errors = {}
    assert identity.subdivision("99", "FR", errors) is None and "99" in str(errors["subdivision"])


@pytest.mark.parametrize("number, part", [
    # every 14 digits pass Luhn, but the SIREN does not: the old seeded numbers of both partners
    ("77573104200013", "its SIREN (the first 9 digits, 775731042) fails the checksum"),
    ("78186055300010", "its SIREN (the first 9 digits, 781860553) fails the checksum"),
    # a valid SIREN with a mistyped establishment number
    ("77573104500017", "its SIREN is valid but the 14 digits fail the SIRET checksum"),
    # La Poste's establishments: the digit sum must be a multiple of 5
    ("35600000012345", "its SIREN is valid but the 14 digits fail the SIRET checksum"),
])
def test_a_siret_is_refused_naming_the_part_that_fails(ctx, number, part):
    value, errors = _check(identity.siret, number)
    assert value is None and part in str(errors["siret"])
    assert part in str(_check(identity.registration_number, number, "FR")[1]["registration_number"])


@pytest.mark.parametrize("number", ["77573104500016", "78186055600013", "35600000000051", "35600000000048"])
def test_a_siret_whose_siren_and_14_digits_pass_is_kept(ctx, number):
    assert _check(identity.siret, number) == (number, {})


def test_rpps_numbers_have_11_digits_and_a_luhn_key(ctx):
    assert identity.rpps("100 0000 0009", {}) == "10000000009"
    errors = {}
    assert identity.rpps("10000000008", errors) is None
    assert "10000000008 fails the RPPS checksum" in str(errors["investigator_rpps"])
    errors = {}
    assert identity.rpps("1000000000", errors, "rpps") is None and "11 digits" in str(errors["rpps"])
    assert identity.rpps("", {}) is None

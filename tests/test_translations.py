"""The French catalogue: complete, faithful to its placeholders, compiled, and used by the pages.

When a test here fails after you added or changed a string, run ./scripts/translations.sh,
translate the new entries in translations/fr/LC_MESSAGES/messages.po, and run it again.
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import get_translations

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
SCRIPT = ROOT / "scripts" / "translations.sh"

# A printf conversion: %(name)s, %d, %.2f, %%...; a space flag counts, so "50 % de" is caught.
CONVERSION = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="fr", abort_invalid=True)


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _shown(msgid) -> str:
    return " / ".join(_forms(msgid))


def _conversions(text: str) -> tuple[Counter, bool]:
    """The conversions in a string, and whether a stray % is left over."""
    return Counter(CONVERSION.findall(text)), "%" in CONVERSION.sub("", text)


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = _catalog()
    assert not catalog.fuzzy, f"{PO}: the header is marked fuzzy, so nothing would be compiled"
    untranslated = [_shown(m.id) for m in catalog if m.id and not all(_forms(m.string))]
    fuzzy = [_shown(m.id) for m in catalog if m.id and m.fuzzy]
    assert not (untranslated or fuzzy), (
        f"in {PO.relative_to(ROOT)}, untranslated: {untranslated}; "
        f"fuzzy (check the guess, then delete its '#, fuzzy' line): {fuzzy}")


def test_translations_keep_the_placeholders_of_the_english():
    catalog = _catalog()
    problems = []
    for message in catalog:
        if not message.id:
            continue
        # A singular form may follow either English form ("%(num)d day" or "%(num)d days").
        expected = [_conversions(english)[0] for english in _forms(message.id)]
        for form in _forms(message.string):
            found, stray = _conversions(form)
            if stray:
                problems.append(f"{_shown(message.id)!r}: lone % in {form!r} (write %% for a percent sign)")
            elif found not in expected:
                problems.append(f"{_shown(message.id)!r}: {form!r} has {sorted(found.elements())}, "
                                f"the English has {sorted(expected[-1].elements())}")
    for message, errors in catalog.check():  # Babel's own checks: python-format, number of plural forms
        problems.extend(f"{_shown(message.id)!r}: {error}" for error in errors)
    assert not problems, "\n".join(problems)


def _keywords() -> list[str]:
    keywords = re.findall(r"-k (\S+)", SCRIPT.read_text(encoding="utf-8"))
    assert keywords, f"no -k keyword found in {SCRIPT}"
    return keywords


def test_every_string_in_the_sources_is_in_the_catalogue(tmp_path):
    """Extract again as scripts/translations.sh does; a new string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    args = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]
    for keyword in _keywords():
        args += ["-k", keyword]
    done = subprocess.run(args + ["-o", str(pot), "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with pot.open("rb") as f:
        extracted = [m for m in read_po(f) if m.id]
    assert len(extracted) > 100, "the extraction found almost nothing: check babel.cfg"
    catalog = _catalog()
    missing = []
    for message in extracted:
        known = catalog.get(message.id, context=message.context)
        if known is None or known.id != message.id:  # a singular string that became plural counts too
            where = ", ".join(f"{path}:{line}" for path, line in message.locations)
            missing.append(f"{_shown(message.id)!r} ({where})")
    assert not missing, ("not in the French catalogue; run ./scripts/translations.sh and translate:\n"
                         + "\n".join(missing))


def test_the_compiled_catalogue_matches_the_po():
    """messages.mo is what `pybabel compile` makes of messages.po today, not of an older version."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())
    compiled.seek(0)
    with MO.open("rb") as f:
        shipped = read_mo(f)

    def table(catalog):
        frozen = lambda value: tuple(value) if isinstance(value, list) else value  # noqa: E731
        return {(frozen(m.id), m.context): frozen(m.string) for m in catalog if m.id}

    wanted, have = table(read_mo(compiled)), table(shipped)
    stale = sorted(_shown(key[0]) for key in wanted.keys() | have.keys() if wanted.get(key) != have.get(key))
    assert not stale, f"{MO.relative_to(ROOT)} is out of date (run ./scripts/translations.sh) for: {stale}"


def test_flask_babel_serves_every_translation(app):
    catalog = _catalog()
    with app.test_request_context("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}):
        translations = get_translations()
        wrong = []
        for m in catalog:
            if not m.id:
                continue
            if isinstance(m.id, tuple):
                ok = (translations.ungettext(m.id[0], m.id[1], 1) == m.string[0]
                      and translations.ungettext(m.id[0], m.id[1], 5) in m.string[1:])
            else:
                ok = translations.ugettext(m.id) == m.string
            if not ok:
                wrong.append(_shown(m.id))
    assert not wrong, f"Flask-Babel does not give the French of: {wrong}"


def test_the_sign_in_page_speaks_french_to_a_french_browser(client):
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    for french in ("Se connecter", "Adresse e-mail", "Mot de passe", "Rester connecté",
                   "Conventions en circuit accéléré"):
        assert french in page, french
    for english in ("Sign in", "Password", "Keep me signed in", "Fast-track contracts"):
        assert english not in page, english
    english_page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign in" in english_page and "Password" in english_page

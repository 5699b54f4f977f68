#!/usr/bin/env bash
# Refresh the translations after adding or changing user-facing strings. Source strings are English,
# marked with _() / gettext in tracker/**/*.py, with _l() / lazy_gettext for strings built at import
# time, and with {{ _("...") }} in the Jinja templates under templates/ (babel.cfg says where to look).
# Run ./scripts/translations.sh from anywhere: it re-extracts translations/messages.pot, merges it
# into every catalogue (translations/<lang>/LC_MESSAGES/messages.po) with `pybabel update`, and
# compiles them to messages.mo. Then open the .po, translate each new empty msgstr, check each
# entry marked "#, fuzzy" (a guess from a similar old string: fix it and delete the fuzzy line), and
# run the script again so the .mo matches; commit the .pot, .po and .mo together.
# tests/test_translations.py fails, naming the strings, while anything is untranslated, fuzzy or not
# compiled. To add a language: pybabel init -i translations/messages.pot -d translations -l xx.
# Uses $PYBABEL if set, else .venv/bin/pybabel (made by scripts/test or scripts/start), else pybabel;
# the merge (scripts/merge_catalogs.py) runs with the Python beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PYBABEL:-}" ]; then
  if [ -x .venv/bin/pybabel ]; then PYBABEL=.venv/bin/pybabel; else PYBABEL=$(command -v pybabel); fi
fi
version=$(sed -n 's/^version *= *//p' setup.cfg)

# tests/test_translations.py re-extracts with the same -k keywords, read from the next line.
# No line numbers and a sorted, unwrapped catalogue: a new string adds lines in one place only,
# so branches that each add strings merge without conflicts.
"$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext --add-comments=TRANSLATORS: \
  --no-location --sort-output --no-wrap \
  --project=fasttrack-tracker --version="$version" -o translations/messages.pot .
# A fixed creation date, so that re-extracting on two branches does not make them conflict.
sed -i 's/^"POT-Creation-Date: .*\\n"$/"POT-Creation-Date: 2026-01-01 00:00+0000\\n"/' translations/messages.pot
"$(dirname "$PYBABEL")/python" scripts/merge_catalogs.py
"$PYBABEL" compile -d translations --statistics

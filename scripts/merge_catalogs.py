"""Merge translations/messages.pot into every translations/<lang>/LC_MESSAGES/messages.po.

Like `pybabel update --previous --ignore-obsolete`, but written without line numbers, sorted
and unwrapped, so that two branches that each add strings change different lines and merge
cleanly. Run by scripts/translations.sh.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        template = read_po(f)
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        locale = po.parts[-3]
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        catalog.update(template, update_header_comment=False)
        with po.open("wb") as f:
            write_po(f, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True,
                     include_previous=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The one CSV writer of every download: in the reader's language, numbers as numbers, never a formula.

Excel opens a CSV with the separators of the reader's locale: in French a ``;`` between
cells and a decimal comma, in English a ``,`` and a decimal point. So a French reader
gets ``;`` and ``12,5``; anyone else ``,`` and ``12.5``. The text is UTF-8 with a
byte-order mark (so "Bergonié" reads as written) and CRLF line ends.

Formula guard (CSV injection): a text cell that a spreadsheet would run as a formula
gets a leading apostrophe. That is a cell beginning with ``=``, ``+``, ``@``, a tab or
a carriage return, or with ``-`` unless the whole cell is a plain number (``-2`` or
``-2,5`` stays a number; ``-2+3`` or ``-cmd`` is guarded). Numbers (int, float,
Decimal) are written as numbers and never guarded, so a negative day count stays a
negative number in the spreadsheet.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

from flask import Response
from flask_babel import get_locale

FORMULA_STARTS = ("=", "+", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")


def dialect_of(language: str | None) -> tuple[str, str]:
    """(cell separator, decimal separator) that Excel expects in this language."""
    return (";", ",") if (language or "").lower().startswith("fr") else (",", ".")


def reader_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def _number(value, decimal: str) -> str:
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return text.replace(".", decimal)


def safe_cell(value, decimal: str = ".") -> str:
    """One cell: numbers in the reader's notation, dates in ISO 8601, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return _number(value, decimal)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) or (text.startswith("-") and not PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def csv_text(columns: Iterable, rows: Iterable[Iterable], language: str | None = None) -> str:
    """The whole file as text, with the byte-order mark; ``language`` defaults to the reader's."""
    separator, decimal = dialect_of(language or reader_language())
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([safe_cell(str(column)) for column in columns])
    for row in rows:
        writer.writerow([safe_cell(value, decimal) for value in row])
    return buffer.getvalue()


def csv_response(filename: str, columns: Iterable, rows: Iterable[Iterable], language: str | None = None) -> Response:
    """A download of ``rows`` under translated ``columns``, in the reader's language unless one is given."""
    body = csv_text(columns, rows, language).encode("utf-8")
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})

"""CSV downloads that Excel opens with accents intact and never runs as formulas."""
from __future__ import annotations

import csv
import io
from typing import Iterable

from flask import Response

from tracker.web.audit_export import safe_cell


def csv_text(columns: Iterable[str], rows: Iterable[Iterable]) -> str:
    """UTF-8 text with a byte-order mark (so Excel reads "Bergonié" as written), CRLF lines, safe cells."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def csv_response(filename: str, columns: Iterable[str], rows: Iterable[Iterable]) -> Response:
    body = csv_text(columns, rows).encode("utf-8")
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})

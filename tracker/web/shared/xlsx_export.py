"""Excel workbooks (.xlsx, written by openpyxl): typed cells, a frozen header row, one sheet per table.

Numbers stay numbers and dates stay dates whatever the reader's locale, which a CSV cannot
promise; texts are written as texts (openpyxl never turns a string into a formula unless it
begins with ``=``, and those are guarded as in the CSV writer).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.web.shared.csv_export import safe_cell

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 48


@dataclass
class Sheet:
    """One table: its sheet name (at most 31 characters), column headings and rows."""

    title: str
    columns: list
    rows: Iterable[Iterable]


def _value(value):
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; callers pass local or UTC times
    if isinstance(value, date):
        return value
    return safe_cell(str(value))


def workbook(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(str(sheet.title)[:31])
        ws.append([str(c) for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(c)) for c in sheet.columns]
        for row in sheet.rows:
            values = [_value(v) for v in row]
            ws.append(values)
            for i, v in enumerate(values):
                if isinstance(v, date):
                    ws.cell(row=ws.max_row, column=i + 1).number_format = "yyyy-mm-dd"
                widths[i] = max(widths[i], len(str(v)) if v is not None else 0)
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(width + 2, MAX_WIDTH)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: list[Sheet]) -> Response:
    return Response(workbook(sheets), mimetype=MIME, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})

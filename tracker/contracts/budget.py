"""The per-visit budget of a contract: rows of item, amount and unit (SPEC 5, the finance table).

One rule for a row, used by the API (a list of objects) and by the form (one line of fields
per row), so both refuse the same things with the same words.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

MAX_ROWS = 200
MAX_AMOUNT = Decimal(10**9)
ITEM_LIMIT, UNIT_LIMIT = 300, 40
# What the form suggests; any short unit with a letter in it is accepted.
COMMON_UNITS = ("EUR per patient", "EUR per visit", "EUR flat", "EUR per hour", "EUR per year")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 1250,50 written the French way
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def check_row(row: Any, *, default_unit: str | None = "EUR") -> tuple[dict | None, dict[str, Any]]:
    """One row cleaned as {item, amount: "450.00", unit}, or the problems by field (item, amount, unit)."""
    if not isinstance(row, dict):
        return None, {"row": _l("not an object with item, amount and unit")}
    problems: dict[str, Any] = {}
    item = row.get("item")
    if not isinstance(item, str) or not item.strip():
        problems["item"] = _l("give the item (a visit or a service)")
    elif len(item.strip()) > ITEM_LIMIT or CONTROL.search(item):
        problems["item"] = _l("the item is at most %(n)d characters on one line", n=ITEM_LIMIT)
    amount = _amount(row.get("amount"))
    if amount is None:
        problems["amount"] = _l("the amount must be a number, such as 450 or 1250.50")
    elif amount < 0 or amount > MAX_AMOUNT:
        problems["amount"] = _l("the amount must be between 0 and 1,000,000,000")
    elif amount != amount.quantize(Decimal("0.01")):
        problems["amount"] = _l("the amount has at most two decimals (cents)")
    unit = row.get("unit")
    if unit in (None, "") and default_unit:
        unit = default_unit
    if not isinstance(unit, str) or not unit.strip():
        problems["unit"] = _l("give the unit, such as EUR per patient")
    elif len(unit.strip()) > UNIT_LIMIT or CONTROL.search(unit) or not any(c.isalpha() for c in unit):
        problems["unit"] = _l("the unit is a short text such as EUR per patient (at most %(n)d characters)",
                              n=UNIT_LIMIT)
    if problems:
        return None, problems
    return {"item": item.strip(), "amount": str(amount.quantize(Decimal("0.01"))), "unit": unit.strip()}, {}


def parse_budget(rows: Any, errors: dict) -> list[dict]:
    """The budget rows of an API request; ``errors["budget"]`` names every bad row and field."""
    if rows in (None, ""):
        return []
    if not isinstance(rows, list):
        errors["budget"] = _l("Expected a list of rows with item, amount and unit.")
        return []
    if len(rows) > MAX_ROWS:
        errors["budget"] = _l("At most %(n)d budget rows.", n=MAX_ROWS)
        return []
    cleaned, messages = [], []
    for number, row in enumerate(rows, start=1):
        value, problems = check_row(row)
        if problems:
            messages.append(str(_l("row %(n)d: %(problems)s", n=number,
                                   problems="; ".join(str(p) for p in problems.values()))))
        else:
            cleaned.append(value)
    if messages:
        errors["budget"] = _l("Budget %(rows)s.", rows="; ".join(messages))
        return []
    return cleaned

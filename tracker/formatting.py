"""Dates, times, numbers, amounts and file sizes worded for the reader, on pages and in mails.

One date format ("7 déc. 2026", "Dec 7, 2026") and one date-time format ("7 déc. 2026, 14:05",
"Dec 7, 2026, 2:05 PM") across the product: no seconds, no UTC offset. Times are shown in the
product's time zone (BABEL_DEFAULT_TIMEZONE, Europe/Paris). Everything follows the locale in
force: the reader's on a page, the recipient's in a mail (``force_locale``).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.dates import get_datetime_format
from babel.units import format_unit
from flask_babel import format_currency, format_date, format_decimal, format_time, get_locale
from flask_babel import lazy_gettext as _l

DATE_STYLE = "medium"
TIME_STYLE = "short"
# File sizes: bytes below one kilobyte, then kilo- and megabytes (of 1,000, as CLDR's units are).
_SIZE_UNITS = ((10**6, "digital-megabyte"), (10**3, "digital-kilobyte"))


def day(value: date | datetime | None) -> str:
    """The product's one date format; a date-time is first moved to the product's time zone."""
    if value is None:
        return ""
    return format_date(value, DATE_STYLE)


def typed_day(text: str) -> str:
    """A date typed as 2026-12-24, said the product's way; anything else is given back as typed."""
    try:
        return day(date.fromisoformat(text.strip()))
    except (ValueError, AttributeError):
        return str(text)


def moment(value: datetime | None) -> str:
    """The product's one date-time format: the date as ``day`` gives it, then hours and minutes."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return day(value)
    pattern = get_datetime_format(DATE_STYLE, locale=get_locale())
    return pattern.replace("{1}", day(value)).replace("{0}", format_time(value, TIME_STYLE))


def number(value) -> str:
    """A count or a measure with the locale's separators ("1 250", "42,5")."""
    if value is None:
        return ""
    return format_decimal(value)


def amount(value, unit: str | None = None) -> str:
    """A budget amount: in euros when the unit is in euros ("1 250,00 €"), else with two decimals."""
    if value in (None, ""):
        return ""
    try:
        figure = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if (unit or "EUR").strip().upper().startswith(("EUR", "€")):
        return format_currency(figure, "EUR")
    return format_decimal(figure, "#,##0.00")


# The units the budget form suggests (tracker.contracts.budget.COMMON_UNITS), said in the reader's
# language once the amount carries the euro sign; any other unit is shown as typed.
_EURO_UNITS = {"EUR per patient": _l("per patient"), "EUR per visit": _l("per visit"), "EUR flat": _l("flat fee"),
               "EUR per hour": _l("per hour"), "EUR per year": _l("per year")}


def budget_unit(unit: str | None) -> str:
    """A budget row's unit: "par patient" for "EUR per patient" (the amount already says "€")."""
    return str(_EURO_UNITS.get((unit or "").strip(), unit or ""))


def filesize(size: int | None) -> str:
    """A file's size with a localized unit: "42,7 ko" in French, "42.7 kB" in English."""
    if size is None:
        return ""
    locale = get_locale()
    for scale, unit in _SIZE_UNITS:
        if size >= scale:
            return format_unit(Decimal(size) / scale, unit, length="short", format="#,##0.#", locale=locale)
    return format_unit(size, "digital-byte", length="long", locale=locale)  # "512 octets", "512 bytes"


FILTERS = {"day": day, "moment": moment, "number": number, "amount": amount, "budget_unit": budget_unit,
           "filesize": filesize}


def install(environment) -> None:
    """Make the filters available to a Jinja environment (Flask's and the alert mails' own)."""
    environment.filters.update(FILTERS)


def init_app(app) -> None:
    install(app.jinja_env)

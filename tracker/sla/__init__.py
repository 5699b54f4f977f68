"""Pure SLA arithmetic: per-site working-day calendars and regulatory deadlines.

Nothing here touches Flask, the database or the clock; "today" is always an argument.
See SPEC.md section 3 for the rules implemented by `calendar` and `deadlines`.
"""

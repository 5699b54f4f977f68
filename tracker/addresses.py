"""Where a contract's pages are, for links built outside a request (mails, webhooks, the calendar feed).

Staff read a contract at /contracts/REF and a sponsor's users in the portal, /portal/contracts/REF;
pages inside a request use url_for instead.
"""
from __future__ import annotations


def contract_path(reference: str, *, sponsor: bool = False, path: str = "", anchor: str = "") -> str:
    """The contract's page for its reader (``sponsor``: the portal's), or ``path`` below it, at ``anchor``."""
    return f"{'/portal' if sponsor else ''}/contracts/{reference}{path}" + (f"#{anchor}" if anchor else "")

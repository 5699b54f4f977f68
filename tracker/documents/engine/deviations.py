"""Deviations from a regulated model (SPEC 5 and 5d): the changes that touch its locked text.

A template marked as a regulated model (the national convention unique) is locked outside its
fields: the sites fill the fields, nobody rewrites the articles. The rule, on the aligned clauses of a
comparison (the version compared with, the changed one):

* a clause of the template is *locked* when its text has something besides Jinja tags
  (``{{ ... }}``, ``{% ... %}``, ``{# ... #}``); a clause that is only fields (a budget cell, a name) is not;
* each locked template clause becomes a pattern: its literal pieces, with every tag between them a
  wildcard (a field may fill in anything, or nothing), white space ignored;
* a *changed* or *removed* clause whose old text matches a locked pattern is a deviation: the change
  touched text the model fixes (also when it only rewrote a field's value inside it);
* an *added* clause is a deviation too: a regulated model has no room for new articles;
* changes to clauses that match no locked pattern (fields only, or text the template does not have)
  are not deviations.

Pure: the template's .docx bytes in, patterns out; no database. A pattern is matched in one pass
(the first piece at the start, the last at the end, the others found in order between them), never as
a regular expression: a clause with many fields made a regular expression of wildcards backtrack for
seconds on each clause that did not match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.documents.engine.compare import ADDED, CHANGED, REMOVED, clauses_of

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
MAX_PATTERNS = 5_000


@dataclass(frozen=True, slots=True)
class Deviation:
    """One change of locked text: its position in the comparison, its status, the old and new text."""

    index: int
    status: str
    old: str | None
    new: str | None

    def as_json(self) -> dict:
        return {"index": self.index, "status": self.status, "old": self.old, "new": self.new}


def _squeezed(text: str) -> str:
    return "".join(text.split())


@dataclass(frozen=True, slots=True)
class LockedClause:
    """A locked template clause: its literal pieces (white space removed), a field between each two."""

    pieces: tuple[str, ...]

    def matches(self, text: str) -> bool:
        """Whether ``text`` reads as this clause with its fields filled in any way (white space aside)."""
        squeezed = _squeezed(text)
        first, last = self.pieces[0], self.pieces[-1]
        if len(self.pieces) == 1:
            return squeezed == first
        if not squeezed.startswith(first) or not squeezed.endswith(last):
            return False
        position, end = len(first), len(squeezed) - len(last)
        if end < position:
            return False
        for piece in self.pieces[1:-1]:
            found = squeezed.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True


def locked_patterns(template: bytes) -> list[LockedClause]:
    """One pattern per template clause that has text outside its tags (the template is a checked .docx)."""
    patterns = []
    for text in clauses_of(template)[:MAX_PATTERNS]:
        literal = _TAG.split(text)
        if not any(piece.strip(" \t\n.,;:()-–—") for piece in literal):
            continue  # fields only: the site's own values
        patterns.append(LockedClause(tuple(_squeezed(piece) for piece in literal)))
    return patterns


def is_locked(text: str, patterns: list[LockedClause]) -> bool:
    return any(pattern.matches(text) for pattern in patterns)


def deviations(clauses, patterns: list[LockedClause]) -> list[Deviation]:
    """The changes among ``clauses`` (a comparison's aligned clauses, in order) that touch locked text."""
    found = []
    for index, clause in enumerate(clauses):
        if clause.status == ADDED or (clause.status in (CHANGED, REMOVED) and is_locked(clause.old or "", patterns)):
            found.append(Deviation(index, clause.status, clause.old, clause.new))
    return found

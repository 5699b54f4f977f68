"""Redline comparison (SPEC 5): the clauses a sponsor changed, added or removed, side by side.

A clause is a non-empty paragraph or a table cell, in document order.  Sponsors usually send
their redline with tracked changes on, so the received text is read as if every change were
accepted: inserted text counts, deleted and moved-away text does not.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from difflib import SequenceMatcher
from io import BytesIO

from lxml import etree

from tracker.documents.checks import DocumentRejected, check_docx
from tracker.documents.problems import N_, Problem
from tracker.documents.wordxml import PARSER, W

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
SIMILAR = 0.5  # above this word-level ratio a removed and an added clause are one edited clause
SHORT_WORDS = 5
_PAIRING_BUDGET = 40_000  # removed x added pairs scored per block before giving up on pairing
MAX_CLAUSES = 20_000  # a long agreement has a thousand; aligning far more would take minutes
_SKIPPED = frozenset({W + "del", W + "moveFrom", W + "delText", W + "instrText", W + "rPr", W + "pPr"})
_SPACE = frozenset({W + "tab", W + "br", W + "cr"})
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass(frozen=True, slots=True)
class Clause:
    """One aligned pair: old is None for an added clause, new is None for a removed one."""

    status: str
    old: str | None
    new: str | None

    def fragments(self) -> list[tuple[str, str]]:
        """Word-level detail of a change as (op, text), op in equal/delete/insert, for highlighting."""
        return word_diff(self.old or "", self.new or "")


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every clause of both versions in order; `counts` sums them up by status."""

    clauses: tuple[Clause, ...]

    @property
    def counts(self) -> dict[str, int]:
        counts = {CHANGED: 0, ADDED: 0, REMOVED: 0, SAME: 0}
        for clause in self.clauses:
            counts[clause.status] += 1
        return counts

    @property
    def differences(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if clause.status != SAME)


def compare_documents(sent: bytes, received: bytes, *, similar: float = SIMILAR) -> Comparison:
    """Align the clauses of the version the site sent with the sponsor's redline (difflib)."""
    return compare_clauses(clauses_of(sent), clauses_of(received), similar=similar)


def compare_clauses(old: list[str], new: list[str], *, similar: float = SIMILAR) -> Comparison:
    """Align two lists of clause texts, as read by clauses_of."""
    result: list[Clause] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += [Clause(SAME, text, text) for text in old[i1:i2]]
        else:  # replace, delete or insert: pair what was only reworded
            result += _pair(old[i1:i2], new[j1:j2], similar)
    return Comparison(tuple(result))


def clauses_of(data: bytes) -> list[str]:
    """The clause texts of a .docx body, whitespace-normalised; raises DocumentRejected."""
    check_docx(data)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), PARSER)
    body = root.find(W + "body")
    clauses = []
    for text in _blocks(body if body is not None else root):
        clauses.append(text)
        if len(clauses) > MAX_CLAUSES:
            raise DocumentRejected([Problem(N_("the document has more than %(limit)s paragraphs and table cells, "
                                               "too many to compare"), limit=MAX_CLAUSES)])
    return clauses


def _blocks(container):
    for child in container:
        if child.tag == W + "p":
            text = _text(child)
            if text:
                yield text
        elif child.tag == W + "tbl":
            for cell in child.iter(W + "tc"):
                if next(cell.iterancestors(W + "tbl")) is not child:
                    continue  # a nested table's cells are part of their outer cell's text
                text = " ".join(filter(None, (_text(p) for p in cell.iter(W + "p"))))
                if text:
                    yield text
        elif child.tag not in _SKIPPED and isinstance(child.tag, str):
            yield from _blocks(child)  # content controls, custom XML, tracked insertions


def _text(element) -> str:
    parts: list[str] = []
    _collect(element, parts)
    return " ".join("".join(parts).split())


def _collect(element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _SKIPPED or not isinstance(tag, str):
            continue
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag in _SPACE:
            parts.append(" ")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag != W + "p" or element.tag == W + "tc":
            _collect(child, parts)
        # paragraphs nested in a text box are not part of the enclosing paragraph's clause


def _similarity(a: str, b: str) -> float:
    """Word-level for sentences; character-level for short cells, where '2 100 €' -> '1 900 €'
    shares no word yet is plainly the same amount edited."""
    words_a, words_b = a.split(), b.split()
    if min(len(words_a), len(words_b)) >= SHORT_WORDS:
        return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _pair(old: list[str], new: list[str], similar: float) -> list[Clause]:
    """Within a differing block, keep order and pair each removed clause with its best rewrite."""
    if len(old) * len(new) > _PAIRING_BUDGET:
        return [Clause(REMOVED, o, None) for o in old] + [Clause(ADDED, None, n) for n in new]
    out: list[Clause] = []
    start = 0
    for text in old:
        best, best_at = similar, None
        for at in range(start, len(new)):
            score = _similarity(text, new[at])
            if score > best:
                best, best_at = score, at
        if best_at is None:
            out.append(Clause(REMOVED, text, None))
            continue
        out += [Clause(ADDED, None, n) for n in new[start:best_at]]
        out.append(Clause(CHANGED, text, new[best_at]))
        start = best_at + 1
    out += [Clause(ADDED, None, n) for n in new[start:]]
    return out


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Token-level difference of two clause texts, merged into runs of equal/delete/insert."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("insert", "".join(b[j1:j2])))
    return out

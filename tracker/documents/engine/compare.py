"""Redline comparison (SPEC 5): the clauses a sponsor changed, added or removed, side by side.

A clause is a non-empty paragraph or a table cell, in document order.  Sponsors usually send
their redline with tracked changes on, so the received text is read as if every change were
accepted: inserted text counts, deleted and moved-away text does not.

The work is bounded by the size of the text, not only by the number of clauses, because a
redline comes from outside: a document has at most MAX_WORDS words; a clause longer than
LONG_WORDS words or LONG_CHARS characters is compared by its words' overlap (linear) instead
of their order, and shown whole, marked too long to detail; the common head and tail of the
two documents are matched before any search; the pairing of reworded clauses within a block
stops scoring when its word budget is spent.  A 2 MB upload therefore costs at most seconds.

Each clause keeps its position in both documents (old_at, new_at), so that a later choice of
"accept these changes, not those" can rebuild a text from the two versions.
"""
from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from io import BytesIO

from lxml import etree

from tracker.documents.engine.checks import DocumentRejected, check_docx
from tracker.documents.engine.problems import N_, Problem
from tracker.documents.engine.wordxml import PARSER, W

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
SIMILAR = 0.5  # above this word-level ratio a removed and an added clause are one edited clause
SHORT_WORDS = 5
_PAIRING_BUDGET = 40_000  # removed x added pairs scored per block before giving up on pairing
_WORD_BUDGET = 10_000_000  # words read while scoring the pairs of one block (each pair costs both its lengths)
_ORDER_BUDGET = 4_000_000  # word x word steps spent on order-aware scores per comparison, then overlap only
MAX_CLAUSES = 20_000  # a long agreement has a thousand; aligning far more would take minutes
MAX_WORDS = 200_000  # a long agreement has about 20,000 words
LONG_WORDS = 1_500  # a clause longer than this is compared by word overlap and shown whole
LONG_CHARS = 15_000
_DETAIL_BUDGET = 20_000_000  # token x token steps spent on word-level detail per comparison
_JUNK_FROM = 1_000  # clause lists this long let very common clauses anchor nothing (difflib's autojunk)
_SKIPPED = frozenset({W + "del", W + "moveFrom", W + "delText", W + "instrText", W + "rPr", W + "pPr"})
_SPACE = frozenset({W + "tab", W + "br", W + "cr"})
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass(frozen=True, slots=True)
class Clause:
    """One aligned pair: old is None for an added clause, new is None for a removed one."""

    status: str
    old: str | None
    new: str | None
    old_at: int | None = None  # position among the sent version's clauses
    new_at: int | None = None  # position among the received version's clauses

    @property
    def too_long(self) -> bool:
        """Too long to be shown word by word: the clause is shown whole."""
        return is_long(self.old or "") or is_long(self.new or "")

    def fragments(self) -> list[tuple[str, str]]:
        """Word-level detail of a change as (op, text), op in equal/delete/insert, for highlighting."""
        if self.too_long:
            return [("delete", self.old or ""), ("insert", self.new or "")]
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

    def detailed(self) -> list[tuple[Clause, list[tuple[str, str]] | None]]:
        """Each difference with its word-level detail, while the detail budget lasts (then None: shown whole)."""
        spent, out = 0, []
        for clause in self.differences:
            fragments = None
            if clause.status == CHANGED and not clause.too_long:
                cost = _detail_cost(clause.old, clause.new)
                if spent + cost <= _DETAIL_BUDGET:
                    spent += cost
                    fragments = clause.fragments()
            out.append((clause, fragments))
        return out


def compare_documents(sent: bytes, received: bytes, *, similar: float = SIMILAR) -> Comparison:
    """Align the clauses of the version the site sent with the sponsor's redline (difflib)."""
    return compare_clauses(clauses_of(sent), clauses_of(received), similar=similar)


def compare_clauses(old: list[str], new: list[str], *, similar: float = SIMILAR) -> Comparison:
    """Align two lists of clause texts, as read by clauses_of.

    The common head and tail are matched first (a redline usually changes a few clauses in
    the middle), then difflib aligns what is left.
    """
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    result = [Clause(SAME, text, text, at, at) for at, text in enumerate(old[:head])]
    middle_old, middle_new = old[head:len(old) - tail], new[head:len(new) - tail]
    scorer = _Scorer(similar)
    junk = max(len(middle_old), len(middle_new)) >= _JUNK_FROM
    matcher = SequenceMatcher(None, middle_old, middle_new, autojunk=junk)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += [Clause(SAME, text, text, head + i1 + k, head + j1 + k) for k, text in enumerate(middle_old[i1:i2])]
        else:  # replace, delete or insert: pair what was only reworded
            result += scorer.pair(middle_old[i1:i2], middle_new[j1:j2], head + i1, head + j1)
    result += [Clause(SAME, text, text, len(old) - tail + k, len(new) - tail + k)
               for k, text in enumerate(old[len(old) - tail:])]
    return Comparison(tuple(result))


def clauses_of(data: bytes) -> list[str]:
    """The clause texts of a .docx body, whitespace-normalised; raises DocumentRejected."""
    check_docx(data)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), PARSER)
    body = root.find(W + "body")
    clauses, words = [], 0
    for text in _blocks(body if body is not None else root):
        clauses.append(text)
        words += text.count(" ") + 1
        if len(clauses) > MAX_CLAUSES:
            raise DocumentRejected([Problem(N_("the document has more than %(limit)s paragraphs and table cells, "
                                               "too many to compare"), limit=MAX_CLAUSES)])
        if words > MAX_WORDS:
            raise DocumentRejected([Problem(N_("the document has more than %(limit)s words, too many to compare"),
                                            limit=MAX_WORDS)])
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


def is_long(text: str) -> bool:
    """Too long for an order-aware comparison (difflib is quadratic at worst)."""
    return len(text) > LONG_CHARS or text.count(" ") >= LONG_WORDS


def _overlap(words_a: list[str], words_b: list[str]) -> float:
    """Share of words the two clauses have in common, order aside: linear, and an upper bound of difflib's ratio."""
    common = sum((Counter(words_a) & Counter(words_b)).values())
    return 2.0 * common / (len(words_a) + len(words_b)) if words_a or words_b else 1.0


class _Scorer:
    """Scores candidate rewrites within one comparison, spending a bounded amount of work."""

    def __init__(self, similar: float):
        self.similar = similar
        self.order_steps = 0  # word x word steps spent on difflib ratios so far

    def similarity(self, a: str, b: str, threshold: float) -> float:
        """Word-level for sentences; character-level for short cells, where '2 100 €' -> '1 900 €'
        shares no word yet is plainly the same amount edited.  Long clauses, and every clause
        once the budget is spent, are scored by word overlap."""
        words_a, words_b = a.split(), b.split()
        if is_long(a) or is_long(b):
            return _overlap(words_a, words_b)
        if min(len(words_a), len(words_b)) >= SHORT_WORDS:
            matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
            size = len(words_a) * len(words_b)
        else:
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            size = len(a) * len(b)
        if matcher.real_quick_ratio() <= threshold or matcher.quick_ratio() <= threshold:
            return 0.0  # cannot beat the best so far: spare the full ratio
        if self.order_steps + size > _ORDER_BUDGET:
            return _overlap(words_a, words_b)
        self.order_steps += size
        return matcher.ratio()

    def pair(self, old: list[str], new: list[str], old_from: int, new_from: int) -> list[Clause]:
        """Within a differing block, keep order and pair each removed clause with its best rewrite."""
        if not old or not new:
            return ([Clause(REMOVED, o, None, old_from + i, None) for i, o in enumerate(old)]
                    + [Clause(ADDED, None, n, None, new_from + j) for j, n in enumerate(new)])
        if len(old) * len(new) > _PAIRING_BUDGET or _block_words(old, new) > _WORD_BUDGET:
            return self.pair_in_place(old, new, old_from, new_from)
        out: list[Clause] = []
        start = 0
        for i, text in enumerate(old):
            best, best_at = self.similar, None
            for at in range(start, len(new)):
                score = self.similarity(text, new[at], best)
                if score > best:
                    best, best_at = score, at
            if best_at is None:
                out.append(Clause(REMOVED, text, None, old_from + i, None))
                continue
            out += [Clause(ADDED, None, n, None, new_from + j) for j, n in enumerate(new[start:best_at], start)]
            out.append(Clause(CHANGED, text, new[best_at], old_from + i, new_from + best_at))
            start = best_at + 1
        out += [Clause(ADDED, None, n, None, new_from + j) for j, n in enumerate(new[start:], start)]
        return out

    def pair_in_place(self, old: list[str], new: list[str], old_from: int, new_from: int) -> list[Clause]:
        """A block too large to search for rewrites (a text edited throughout): each clause is set against
        the one at the same place, a change where their words overlap enough, else removed and added."""
        out: list[Clause] = []
        for i, (text, other) in enumerate(zip(old, new)):
            if _overlap(text.split(), other.split()) > self.similar:
                out.append(Clause(CHANGED, text, other, old_from + i, new_from + i))
            else:
                out += [Clause(REMOVED, text, None, old_from + i, None), Clause(ADDED, None, other, None, new_from + i)]
        shared = min(len(old), len(new))
        out += [Clause(REMOVED, o, None, old_from + i, None) for i, o in enumerate(old[shared:], shared)]
        out += [Clause(ADDED, None, n, None, new_from + j) for j, n in enumerate(new[shared:], shared)]
        return out


def _block_words(old: list[str], new: list[str]) -> int:
    """Words read to score every removed clause against every added one: each pair costs both its lengths."""
    old_words = sum(text.count(" ") + 1 for text in old)
    new_words = sum(text.count(" ") + 1 for text in new)
    return old_words * len(new) + new_words * len(old)


def _detail_cost(old: str, new: str) -> int:
    """A measure of word_diff's work: each token of one text meets the same token's places in the other
    (difflib's inner loop), so common tokens - spaces, articles - cost the product of their counts.
    Far below the product of the two lengths for real prose, and as high for a text of a few repeated words."""
    a, b = Counter(_TOKEN.findall(old)), Counter(_TOKEN.findall(new))
    return sum(count * b[token] for token, count in a.items()) + len(old) + len(new)


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

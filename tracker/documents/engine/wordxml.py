"""Word XML surgery: turn a .docx part into Jinja source, whatever Word did to the placeholders.

Word splits typed text into runs at every formatting, spelling or revision boundary, so
`{{ sponsor.name }}` may reach us as `{{ spon` + `sor.na` + `me }}` in three runs (python-docx
issue #30).  Each paragraph's text is read as one string, every tag found in it is moved whole
into the run where it starts (so the filled value keeps that run's formatting) and the other
runs lose their share of it.  Paragraph-, row-, cell- and run-level tags (`{%p`, `{%tr`, `{%tc`,
`{%r`, the syntax docxtpl made common) replace their whole element, as loops and conditions
over rows must repeat or drop the row and not just its text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from lxml import etree

from tracker.documents.engine.problems import N_, Problem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_T = W + "p", W + "t"
LEVELS = {"p": W + "p", "tr": W + "tr", "tc": W + "tc", "r": W + "r"}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Untrusted uploads: no network, no DTD loaded, no external or expanded entities, no giant trees.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                         huge_tree=False, remove_blank_text=False)


_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


class ForbiddenXML(ValueError):
    """Well-formed XML that a Word document never holds: a DOCTYPE, and with it entities."""


def parse_xml(xml: bytes):
    """Parse one part of an untrusted package: XMLSyntaxError if damaged, ForbiddenXML for a DOCTYPE.

    Word never writes a DOCTYPE; one is there only to declare entities, which could expand
    to gigabytes or read files, so it is refused rather than parsed around.
    """
    if any(marker in xml for marker in _DOCTYPE_MARKERS):  # before libxml2 expands anything
        raise ForbiddenXML("DOCTYPE")
    root = etree.fromstring(xml, PARSER)
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise ForbiddenXML("DOCTYPE")
    return root

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
STRAY = re.compile(r"\{[{%#]|[}%#]\}")
RICH = re.compile(r"\{\{(p|r)\s")  # docxtpl's {{r rich }} / {{p subdoc }} need objects we never pass
LEVELLED = re.compile(r"\{([%#])(p|tr|tc|r)\s+(.*?)\s*(-?)[%#]\}$", re.S)
# Markers stand in for tags while lxml serialises the tree, so tag text is never XML-escaped.
# U+FDD0/U+FDD1 are Unicode non-characters: legal in XML, never typed in a contract.
MARK_OPEN, MARK_CLOSE = "\ufdd0", "\ufdd1"
MARKER = re.compile(MARK_OPEN + r"(\d+)" + MARK_CLOSE)
# Word's autocorrect turns quotes curly and French typography adds thin spaces: Jinja wants ASCII.
NORMALISE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\xa0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ",
})
BRACE_BEFORE_TAG = re.compile(r"\{(?=[{%#" + MARK_OPEN + "])")


@dataclass(slots=True)
class Tag:
    """One Jinja tag as it will be compiled, with where it came from for error messages."""

    source: str
    where: Problem
    chain: tuple[str, ...]  # element names from the root to where the tag's output lands


@dataclass(slots=True)
class CleanedPart:
    """A part's Jinja source (None when it holds no tags) and the problems found on the way."""

    name: str
    source: str | None
    tags: list[Tag] = field(default_factory=list)  # in the order they appear in `source`
    problems: list[Problem] = field(default_factory=list)


_LABELS = {"document": N_("body"), "footnotes": N_("footnotes"), "endnotes": N_("endnotes"),
           "header": N_("header"), "footer": N_("footer")}
_NUMBERED = {"header": N_("header %(number)s"), "footer": N_("footer %(number)s")}


def part_label(name: str) -> Problem:
    """'word/header2.xml' -> 'header 2', 'word/document.xml' -> 'body': what an author calls it."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".xml")
    match = re.fullmatch(r"(header|footer)(\d+)", stem)
    if match:
        return Problem(_NUMBERED[match[1]], number=match[2])
    return Problem(_LABELS[stem]) if stem in _LABELS else Problem("%(name)s", name=name)


def snippet(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def clean_part(name: str, xml: bytes) -> CleanedPart:
    """Rewrite one XML part so that every tag sits whole in one run.

    Raises etree.XMLSyntaxError for damaged XML and ForbiddenXML for a DOCTYPE.
    """
    root = parse_xml(xml)
    if b"{" not in xml:  # no tag can hide in a part without a single brace
        return CleanedPart(name, None)
    part = CleanedPart(name, None)
    if MARK_OPEN.encode() in xml or MARK_CLOSE.encode() in xml:
        part.problems.append(Problem(N_("%(part)s: contains reserved characters U+FDD0/U+FDD1"),
                                     part=part_label(name)))
        return part
    pending: list[Tag] = []
    replaced: dict = {}  # element -> markers that take its place, in document order
    for number, paragraph in enumerate(root.iter(W_P), 1):
        _clean_paragraph(part, paragraph, number, pending, replaced)
    for element, markers in replaced.items():
        _replace_with_text(element, "".join(markers))
    if not pending:
        return part
    text = BRACE_BEFORE_TAG.sub("&#123;", etree.tostring(root, encoding="unicode"))
    seen: list[int] = []

    def restore(match: re.Match) -> str:
        seen.append(int(match[1]))
        return pending[int(match[1])].source

    part.source = DECLARATION + MARKER.sub(restore, text)
    part.tags = [pending[i] for i in seen]
    for i in sorted(set(range(len(pending))) - set(seen)):
        tag = pending[i]
        part.problems.append(Problem(
            N_("%(where)s: %(tag)s sits inside a paragraph or row that another {%%p ...%%}/{%%tr ...%%} tag "
               "already replaces; move it out"), where=tag.where, tag=tag.source))
    return part


def _owned_texts(paragraph) -> list:
    """The w:t of this paragraph, not of paragraphs nested in its text boxes."""
    texts = []
    for t in paragraph.iter(W_T):
        owner = t.getparent()
        while owner is not None and owner.tag != W_P:
            owner = owner.getparent()
        if owner is paragraph:
            texts.append(t)
    return texts


def _clean_paragraph(part: CleanedPart, paragraph, number: int, pending: list, replaced: dict) -> None:
    texts = _owned_texts(paragraph)
    values = [t.text or "" for t in texts]
    full = "".join(values)
    if "{" not in full and "}" not in full:
        return
    where = Problem(N_('%(part)s, paragraph %(number)d ("%(text)s")'), part=part_label(part.name), number=number,
                    text=snippet(full))
    matches = list(TAG.finditer(full))
    plain = TAG.sub("\x00", full)
    for stray in STRAY.finditer(plain):
        message = (N_("%(where)s: '%(delimiter)s' has no matching closing delimiter") if stray[0][0] == "{"
                   else N_("%(where)s: '%(delimiter)s' has no matching opening delimiter"))
        part.problems.append(Problem(message, where=where, delimiter=stray[0]))
    if not matches:
        return
    starts, offset = [], 0
    for value in values:
        starts.append(offset)
        offset += len(value)
    pieces: list[list[str]] = [[] for _ in texts]

    def put_plain(begin: int, end: int) -> None:
        for i, start in enumerate(starts):
            low, high = max(begin, start), min(end, start + len(values[i]))
            if low < high:
                pieces[i].append(full[low:high])

    position = 0
    for match in matches:
        put_plain(position, match.start())
        position = match.end()
        index = bisect_right(starts, match.start()) - 1
        holder = texts[index]
        raw = match[0].translate(NORMALISE)
        levelled = LEVELLED.match(raw)
        if RICH.match(raw):
            part.problems.append(Problem(N_("%(where)s: %(tag)s uses docxtpl rich text or sub-documents, which "
                                            "are not supported; write {{ ... }}"), where=where, tag=raw))
        elif levelled:
            _levelled_tag(part, holder, levelled, where, pending, replaced)
        elif not raw.startswith("{#"):  # plain comments vanish
            pieces[index].append(_marker(pending, Tag(raw, where, _chain(holder))))
            holder.set(XML_SPACE, "preserve")  # values may start or end with spaces
    put_plain(position, len(full))
    for t, chunk in zip(texts, pieces):
        t.text = "".join(chunk)


def _levelled_tag(part, holder, levelled: re.Match, where: str, pending: list, replaced: dict) -> None:
    kind, level, body, dash = levelled.groups()
    element = next(holder.iterancestors(LEVELS[level]), None) if level != "r" else holder.getparent()
    if element is None or element.getparent() is None:
        message = {"tr": N_("%(where)s: %(tag)s is not inside a table row"),
                   "tc": N_("%(where)s: %(tag)s is not inside a table cell")}.get(
            level, N_("%(where)s: %(tag)s is not inside a paragraph"))
        part.problems.append(Problem(message, where=where, tag=levelled[0]))
        return
    markers = replaced.setdefault(element, [])
    if kind == "%":  # {#p ... #} drops the element and emits nothing
        source = "{% " + body + (" -%}" if dash else " %}")
        markers.append(_marker(pending, Tag(source, where, _chain(element.getparent()))))


def _marker(pending: list, tag: Tag) -> str:
    pending.append(tag)
    return f"{MARK_OPEN}{len(pending) - 1}{MARK_CLOSE}"


def _chain(element) -> tuple[str, ...]:
    names = [etree.QName(e).localname for e in element.iterancestors()]
    names.reverse()
    names.append(etree.QName(element).localname)
    return tuple(names)


def _replace_with_text(element, text: str) -> None:
    """Remove element, leaving text where it stood (lxml keeps text in .text and .tail)."""
    parent = element.getparent()
    previous = element.getprevious()
    text += element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


OPENERS = frozenset({"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "raw", "trans"})
MIDDLES = frozenset({"elif", "else", "pluralize"})
KEYWORD = re.compile(r"\{%[-+]?\s*(\w+)")


def nesting_problems(tags: list[Tag]) -> list[Problem]:
    """Blocks must close, and open and close at the same level of the document.

    `{% if %}` in one paragraph closed by `{% endif %}` in a table cell would cut the XML
    between them in half when the condition is false: the file would no longer open.  Two
    points with the same chain of enclosing elements can always be joined safely.
    """
    problems: list[Problem] = []
    stack: list[tuple[str, Tag]] = []
    for tag in tags:
        keyword = KEYWORD.match(tag.source)
        if not keyword:
            continue
        word = keyword[1]
        if word in OPENERS or (word == "set" and "=" not in tag.source):
            stack.append((word, tag))
            continue
        if word not in MIDDLES and not word.startswith("end"):
            continue
        if not stack:
            problems.append(Problem(N_("%(where)s: %(tag)s has no opening tag"), where=tag.where, tag=tag.source))
            continue
        opened, opener = stack[-1]
        if word.startswith("end") and word[3:] != opened:
            problems.append(Problem(N_("%(where)s: %(tag)s closes %(opener)s opened in %(opened_where)s"),
                                    where=tag.where, tag=tag.source, opener=opener.source, opened_where=opener.where))
        elif tag.chain != opener.chain:
            problems.append(Problem(
                N_("%(where)s: %(tag)s does not sit at the same level as %(opener)s in %(opened_where)s; keep both "
                   "in one paragraph, or give each its own paragraph or row with {%%p ...%%} or {%%tr ...%%}"),
                where=tag.where, tag=tag.source, opener=opener.source, opened_where=opener.where))
        if word.startswith("end"):
            stack.pop()
    problems += [Problem(N_("%(where)s: %(tag)s is never closed"), where=tag.where, tag=tag.source)
                 for _, tag in stack]
    return problems

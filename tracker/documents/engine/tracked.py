"""Write the changes of a redline or revised version into the version it is compared with, as Word
tracked changes (SPEC 5d), so that Word's (or LibreOffice's) review pane lists them one by one.

python-docx cannot write revisions, so this works on the XML. Pure: bytes in, bytes out.

The base version's clauses are read exactly as the comparison reads them (a non-empty paragraph
or a table cell, in order) and aligned with the changed version's clauses. Then, in the base:

* a changed paragraph's runs are rewritten word by word: kept text as plain runs, removed words in
  ``w:del`` (``w:delText``), new words in ``w:ins``, all with the first run's formatting;
* a removed paragraph keeps its runs inside ``w:del`` and its paragraph mark is marked deleted;
* an added clause becomes a new paragraph after the clause before it, its text in ``w:ins`` and its
  mark marked inserted (after a table cell, it goes at the end of that cell: a new cell or row of a
  table is shown as text inserted in the cell before it);
* a changed table cell of one paragraph is rewritten like a paragraph; one of several paragraphs
  has its old text deleted and the new text inserted after it.

Every revision carries ``w:author`` and ``w:date``, and an id above any id the document uses.
"""
from __future__ import annotations

import copy
import zipfile
from datetime import datetime, timezone
from io import BytesIO

from lxml import etree

from tracker.documents.engine.compare import ADDED, CHANGED, REMOVED, _SKIPPED, _text, compare_clauses
from tracker.documents.engine.wordxml import PARSER, W, XML_SPACE

_ID = W + "id"


def tracked_changes(base: bytes, changed: bytes, *, author: str, date: datetime) -> bytes:
    """The base .docx carrying the changed version's differences as tracked changes (both are checked .docx)."""
    with zipfile.ZipFile(BytesIO(base)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), PARSER)
    with zipfile.ZipFile(BytesIO(changed)) as archive:
        new_root = etree.fromstring(archive.read("word/document.xml"), PARSER)
    old_blocks = list(_located(_body(root)))
    new_texts = [text for _element, text in _located(_body(new_root))]
    writer = _Writer(root, author, date)
    comparison = compare_clauses([text for _element, text in old_blocks], new_texts)
    at, anchor = 0, None
    for clause in comparison.clauses:
        if clause.status == ADDED:
            anchor = writer.added(anchor, old_blocks[0][0] if old_blocks else None, clause.new)
            continue
        element = old_blocks[at][0]
        at += 1
        if clause.status == CHANGED:
            writer.changed(element, clause.new, clause.fragments())
        elif clause.status == REMOVED:
            writer.removed(element)
        anchor = element
    return _replace_part(base, "word/document.xml",
                         etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _body(root):
    body = root.find(W + "body")
    return body if body is not None else root


def _located(container):
    """(element, text) for each clause, in the order and with the text the comparison reads."""
    for child in container:
        if child.tag == W + "p":
            text = _text(child)
            if text:
                yield child, text
        elif child.tag == W + "tbl":
            for cell in child.iter(W + "tc"):
                if next(cell.iterancestors(W + "tbl")) is not child:
                    continue
                text = " ".join(filter(None, (_text(p) for p in cell.iter(W + "p"))))
                if text:
                    yield cell, text
        elif child.tag not in _SKIPPED and isinstance(child.tag, str):
            yield from _located(child)


class _Writer:
    def __init__(self, root, author: str, date: datetime):
        self.author = author or "?"
        self.date = date.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        ids = [int(value) for value in root.xpath("//@w:id", namespaces={"w": W[1:-1]}) if value.isdigit()]
        self.next_id = max(ids, default=0) + 1

    def mark(self, kind: str):
        element = etree.Element(W + kind)
        element.set(_ID, str(self.next_id))
        element.set(W + "author", self.author)
        element.set(W + "date", self.date)
        self.next_id += 1
        return element

    def run(self, text: str, rpr, deleted: bool = False):
        run = etree.Element(W + "r")
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        t = etree.SubElement(run, W + ("delText" if deleted else "t"))
        t.text = text
        t.set(XML_SPACE, "preserve")
        return run

    def changed(self, element, new: str, fragments: list[tuple[str, str]]) -> None:
        paragraphs = [p for p in element.iter(W + "p") if _text(p)] if element.tag == W + "tc" else [element]
        if len(paragraphs) != 1:
            for paragraph in paragraphs:
                self._delete_runs(paragraph)
            self._append(paragraphs[-1], "ins", new, _first_rpr(paragraphs[-1]))
            return
        paragraph = paragraphs[0]
        rpr = _first_rpr(paragraph)
        for child in [c for c in paragraph if c.tag not in (W + "pPr", W + "bookmarkStart", W + "bookmarkEnd")]:
            paragraph.remove(child)
        for op, text in fragments:  # word by word; a clause too long for that is deleted and inserted whole
            if op == "equal":
                paragraph.append(self.run(text, rpr))
            else:
                self._append(paragraph, "del" if op == "delete" else "ins", text, rpr)

    def removed(self, element) -> None:
        for paragraph in list(element.iter(W + "p")):
            self._delete_runs(paragraph)
            if element.tag == W + "p":
                _mark_rpr(paragraph).insert(0, self.mark("del"))

    def added(self, anchor, first, text: str):
        """A new paragraph holding ``text`` as an insertion, after ``anchor`` (else before ``first``)."""
        model = anchor if anchor is not None else first
        if model is not None and model.tag == W + "tc":
            paragraphs = list(model.iter(W + "p"))
            model = paragraphs[-1] if paragraphs else None
        paragraph = etree.Element(W + "p")
        if model is not None and model.find(W + "pPr") is not None:
            ppr = copy.deepcopy(model.find(W + "pPr"))
            for gone in ppr.findall(W + "sectPr") + ppr.findall(W + "rPr"):
                ppr.remove(gone)
            paragraph.append(ppr)
        _mark_rpr(paragraph).insert(0, self.mark("ins"))
        self._append(paragraph, "ins", text, _first_rpr(model) if model is not None else None)
        if model is None:
            return paragraph
        if anchor is None:
            model.addprevious(paragraph)
        else:
            model.addnext(paragraph)
        return paragraph

    def _append(self, paragraph, kind: str, text: str, rpr) -> None:
        mark = self.mark(kind)
        mark.append(self.run(text, rpr, deleted=kind == "del"))
        paragraph.append(mark)

    def _delete_runs(self, paragraph) -> None:
        for run in [r for r in paragraph.iter(W + "r") if not any(a.tag == W + "del" for a in r.iterancestors())]:
            for t in run.findall(W + "t"):
                t.tag = W + "delText"
            mark = self.mark("del")
            run.addprevious(mark)
            mark.append(run)


def _first_rpr(paragraph):
    run = next((r for r in paragraph.iter(W + "r") if r.find(W + "t") is not None), None)
    return run.find(W + "rPr") if run is not None else None


def _mark_rpr(paragraph):
    """The paragraph mark's run properties (``w:pPr/w:rPr``), made if missing, in schema order (last)."""
    ppr = paragraph.find(W + "pPr")
    if ppr is None:
        ppr = etree.Element(W + "pPr")
        paragraph.insert(0, ppr)
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        rpr = etree.Element(W + "rPr")
        after = [c for c in ppr if c.tag in (W + "sectPr", W + "pPrChange")]
        if after:
            after[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    return rpr


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()

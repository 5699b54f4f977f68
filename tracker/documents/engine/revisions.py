"""Accept every tracked change of a .docx and remove its comments (SPEC 5d: adopting a redline).

Pure functions on the bytes of a checked .docx, no database. What Word would do with "Accept all
changes" then "Delete all comments":

* inserted and moved-here text (``w:ins``, ``w:moveTo``) stays, without its marks;
* deleted and moved-away text (``w:del``, ``w:moveFrom``) goes, with the move ranges;
* a deleted paragraph mark joins the paragraph with the next one; a deleted table row goes;
* formatting changes (``w:rPrChange``, ``w:pPrChange``...) keep the new formatting;
* comment ranges, references and the comment parts go, with their relationships and content types;
* the document no longer asks Word to track changes (``w:trackRevisions``).

Every other part of the package is copied byte for byte.
"""
from __future__ import annotations

import re
import zipfile
from io import BytesIO

from lxml import etree

from tracker.documents.engine.wordxml import PARSER, W

# Parts whose XML may carry revisions: the body, headers, footers, notes, styles and numbering.
_TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|styles|numbering|settings)\.xml$")
_COMMENT_PARTS = re.compile(r"^word/(comments|commentsExtended|commentsIds|commentsExtensible|people)\.xml$")
_REMOVED = frozenset(W + name for name in (
    "del", "moveFrom", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange", "trPrChange", "tcPrChange",
    "tblGridChange", "numberingChange", "commentRangeStart", "commentRangeEnd", "commentReference",
    "trackRevisions", "cellIns", "cellDel", "cellMerge", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd"))
_UNWRAPPED = frozenset({W + "ins", W + "moveTo"})
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MARKS = frozenset({W + "ins", W + "del", W + "moveFrom", W + "moveTo"})


def accept_all(data: bytes) -> bytes:
    """The .docx with its tracked changes accepted and its comments removed (the input is a checked .docx)."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name = info.filename
            if _COMMENT_PARTS.match(name):
                continue
            content = source.read(info)
            if _TEXT_PARTS.match(name):
                content = _serialise(_accept(etree.fromstring(content, PARSER)))
            elif name.endswith(".rels"):
                content = _without_comment_relations(content)
            elif name == "[Content_Types].xml":
                content = _without_comment_types(content)
            target.writestr(info, content)
    return out.getvalue()


def has_revisions(data: bytes) -> bool:
    """Whether the body still holds a tracked change or a comment mark."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), PARSER)
    wanted = _MARKS | {W + "commentReference", W + "commentRangeStart"}
    return any(element.tag in wanted for element in root.iter())


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _accept(root):
    _join_deleted_paragraph_marks(root)
    for row in [r for r in root.iter(W + "tr") if r.find(f"{W}trPr/{W}del") is not None]:
        row.getparent().remove(row)
    for element in [e for e in root.iter() if e.tag in _REMOVED]:
        parent = element.getparent()
        if parent is not None:
            _drop(element)
    for element in [e for e in root.iter() if e.tag in _UNWRAPPED]:
        _unwrap(element)
    for run in [r for r in root.iter(W + "r") if all(child.tag == W + "rPr" for child in r)]:
        run.getparent().remove(run)  # runs that only held a comment reference
    return root


def _drop(element) -> None:
    """Remove an element, keeping the text that follows it (lxml keeps a tail with its element)."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _unwrap(element) -> None:
    """Put an element's children in its place."""
    parent = element.getparent()
    if parent is None:
        return
    at = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(at + offset, child)
    _drop(element)


def _join_deleted_paragraph_marks(root) -> None:
    """A paragraph whose mark was deleted runs on into the next paragraph of the same container."""
    for paragraph in [p for p in root.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None
                      or p.find(f"{W}pPr/{W}rPr/{W}moveFrom") is not None]:
        following = paragraph.getnext()
        while following is not None and following.tag != W + "p":
            following = None if following.tag in (W + "tbl", W + "sectPr") else following.getnext()
        if following is None:
            continue  # the last paragraph of its container keeps its mark: the mark's deletion is dropped below
        content = [child for child in paragraph if child.tag != W + "pPr"]
        anchor = following.find(W + "pPr")
        at = 0 if anchor is None else following.index(anchor) + 1
        for offset, child in enumerate(content):
            following.insert(at + offset, child)
        if paragraph.find(f"{W}pPr/{W}sectPr") is not None and following.find(f"{W}pPr/{W}sectPr") is None:
            continue  # a section break lives on this mark: keep the (now empty) paragraph
        paragraph.getparent().remove(paragraph)


def _without_comment_relations(content: bytes) -> bytes:
    root = etree.fromstring(content, PARSER)
    gone = [rel for rel in root.iter(_REL + "Relationship")
            if _COMMENT_PARTS.match("word/" + rel.get("Target", "").lstrip("/").removeprefix("word/"))]
    if not gone:
        return content
    for rel in gone:
        root.remove(rel)
    return _serialise(root)


def _without_comment_types(content: bytes) -> bytes:
    root = etree.fromstring(content, PARSER)
    gone = [o for o in root.iter(_CT + "Override") if _COMMENT_PARTS.match(o.get("PartName", "").lstrip("/"))]
    if not gone:
        return content
    for override in gone:
        root.remove(override)
    return _serialise(root)

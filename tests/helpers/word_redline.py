"""A sponsor's redline as Word saves one: tracked changes (w:ins, w:del, a move) and a comment.

``word_redline(sent)`` takes a .docx and returns the redline with what its text must be once every
change is accepted (the paragraphs, in order), so that tests can check the adoption word for word.
It picks body paragraphs of eight words or more by position, so it works on any agreement.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import docx
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SPACE = "{http://www.w3.org/XML/1998/namespace}space"
AUTHOR = "Sponsor Legal"
DATE = "2026-12-01T10:00:00Z"
INSERTED = "Le Promoteur règle chaque facture sous soixante jours."
ADDED = "Article ajouté : le Promoteur peut publier les résultats après douze mois."


@dataclass
class Redline:
    data: bytes
    accepted: list[str]  # the body paragraphs' text once every change is accepted (empty ones left out)
    changed: str  # the paragraph the payment change rewrote, as accepted
    removed: str  # the paragraph deleted, as it was
    added: str


class _Ids:
    def __init__(self):
        self.n = 900

    def mark(self, tag: str, **extra):
        element = etree.Element(W + tag)
        element.set(W + "id", str(self.n))
        self.n += 1
        element.set(W + "author", AUTHOR)
        element.set(W + "date", DATE)
        for key, value in extra.items():
            element.set(W + key, value)
        return element


def _run(text: str, deleted: bool = False):
    run = etree.Element(W + "r")
    t = etree.SubElement(run, W + ("delText" if deleted else "t"))
    t.text = text
    t.set(SPACE, "preserve")
    return run


def _clear(p) -> None:
    for child in [c for c in p if c.tag != W + "pPr"]:
        p.remove(child)


def _mark_rpr(p):
    ppr = p.find(W + "pPr")
    if ppr is None:
        ppr = etree.Element(W + "pPr")
        p.insert(0, ppr)
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        rpr = etree.SubElement(ppr, W + "rPr")
    return rpr


def word_redline(sent: bytes, *, comment: bool = True) -> Redline:
    document = docx.Document(io.BytesIO(sent))
    body = [p for p in document.paragraphs if p.text.strip()]
    long = [p for p in body if len(p.text.split()) >= 8 and "{" not in p.text]
    assert len(long) >= 11, "the agreement has too few long paragraphs for this redline"
    ids = _Ids()
    texts = {id(p._p): " ".join(p.text.split()) for p in body}

    # Payment: the end of a clause deleted, a new end inserted.
    change = long[2]._p
    words = texts[id(change)].split()
    keep = " ".join(words[:4]) + " "
    _clear(change)
    change.append(_run(keep))
    deletion = ids.mark("del")
    deletion.append(_run(" ".join(words[4:]), deleted=True))
    change.append(deletion)
    insertion = ids.mark("ins")
    insertion.append(_run(INSERTED))
    change.append(insertion)
    texts[id(change)] = " ".join((keep + INSERTED).split())

    # A clause deleted, with its paragraph mark.
    gone = long[4]._p
    removed = texts.pop(id(gone))
    for run in list(gone.iter(W + "r")):
        for t in run.findall(W + "t"):
            t.tag = W + "delText"
        mark = ids.mark("del")
        run.addprevious(mark)
        mark.append(run)
    _mark_rpr(gone).insert(0, ids.mark("del"))

    # A clause added after another.
    anchor = long[6]._p
    new = etree.Element(W + "p")
    _mark_rpr(new).insert(0, ids.mark("ins"))
    insertion = ids.mark("ins")
    insertion.append(_run(ADDED))
    new.append(insertion)
    anchor.addnext(new)

    # A word moved from the end of one clause to the end of another.
    source, target = long[8]._p, long[10]._p
    words = texts[id(source)].split()
    moved = words[-1]
    _clear(source)
    source.append(_run(" ".join(words[:-1])))
    source.append(ids.mark("moveFromRangeStart", name="move1"))
    move_from = ids.mark("moveFrom")
    move_from.append(_run(" " + moved, deleted=True))
    source.append(move_from)
    end = etree.SubElement(source, W + "moveFromRangeEnd")
    end.set(W + "id", "0")
    texts[id(source)] = " ".join(words[:-1])
    target.append(ids.mark("moveToRangeStart", name="move1"))
    move_to = ids.mark("moveTo")
    move_to.append(_run(" " + moved))
    target.append(move_to)
    end = etree.SubElement(target, W + "moveToRangeEnd")
    end.set(W + "id", "0")
    texts[id(target)] = texts[id(target)] + " " + moved

    if comment:
        document.add_comment(long[1].runs[:1] or long[1].runs, text="À revoir avec notre service juridique.",
                             author=AUTHOR, initials="SL")
    accepted = []
    for p in document.element.body.iter(W + "p"):
        if p is new:
            accepted.append(ADDED)
        elif id(p) in texts and p.getparent() is document.element.body:
            accepted.append(texts[id(p)])
    buffer = io.BytesIO()
    document.save(buffer)
    return Redline(buffer.getvalue(), accepted, texts[id(change)], removed, ADDED)


def body_paragraphs(data: bytes) -> list[str]:
    """The non-empty top-level body paragraphs of a .docx, whitespace-normalised."""
    document = docx.Document(io.BytesIO(data))
    return [" ".join(p.text.split()) for p in document.paragraphs if p.text.strip()]

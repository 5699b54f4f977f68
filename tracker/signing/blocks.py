"""Each signature shown where the agreement's signature blocks are (SPEC 5c).

The executed PDF is made from the fixed .docx with its signature blocks filled: the name, the
capacity and what the signature means ("signé pour le compte de … en qualité de …", the
investigator's visa), the date and time with the site's zone, and how it was made. The blocks are
found by what they say, not by where they are: a table whose first row names the three parties
(institution, investigator, sponsor), with "Date" and "Signature" lines under each. When no such
table exists, a page of the three filled blocks is added after the agreement instead.
"""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime
from xml.sax.saxutils import escape

from docx import Document as DocxDocument
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.stages import rules
from tracker.timeutil import zone

PARTY_WORDS = {"institution": ("etablissement", "institution", "centre", "hopital", "hospital"),
               "investigator": ("investigat",),
               "sponsor": ("promoteur", "sponsor")}


def _plain(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c))
    return text.casefold().strip()


def party_of(label: str) -> str | None:
    words = _plain(label)
    found = [party for party, keys in PARTY_WORDS.items() if any(key in words for key in keys)]
    return found[0] if len(found) == 1 else None


def local_time(at: datetime, timezone: str) -> str:
    """Date and time in the site's zone, with the zone's name and offset: 2026-12-07 10:04:31 (Europe/Paris, UTC+01:00)."""
    local = at.astimezone(zone(timezone))
    offset = local.strftime("%z")
    return f"{local.strftime('%Y-%m-%d %H:%M:%S')} ({timezone}, UTC{offset[:3]}:{offset[3:]})"


def _organisation(track, party: str) -> str:
    if party == "sponsor":
        sponsor = track.contract.sponsor
        return sponsor.legal_name or sponsor.name
    return track.site.legal_name or track.site.name


def block_lines(track, party: str, signature) -> dict[str, str]:
    """What a party's block says once signed, in the current language: name, meaning, date, how."""
    name = signature.typed_name or (signature.recorded_by.name if signature.recorded_by else "")
    capacity = getattr(signature, "capacity", None)
    if party == "investigator":
        meaning = _("Investigator's visa: read and acknowledged")
    elif capacity:
        meaning = _("Signed on behalf of %(org)s as %(capacity)s", org=_organisation(track, party), capacity=capacity)
    else:
        meaning = _("Signed on behalf of %(org)s", org=_organisation(track, party))
    if signature.method == "online":
        how = _("Electronic signature: see the signature certificate at the end of this document")
    else:
        how = _("Signature made outside the tracker, recorded on this date")
    return {"name": name, "meaning": meaning, "date": local_time(signature.signed_at, track.site.timezone),
            "how": how}


def _blocks_table(document):
    for table in document.tables:
        if not table.rows:
            continue
        columns = {}
        for index, cell in enumerate(table.rows[0].cells):
            party = party_of(cell.text)
            if party is not None and party not in columns.values():
                columns[index] = party
        if sorted(columns.values()) == sorted(rules.PARTIES):
            return table, columns
    return None, None


def _set(cell, lines: list[str]) -> None:
    first, *rest = cell.paragraphs
    for extra in rest:
        extra._element.getparent().remove(extra._element)
    for run in first.runs[1:]:
        run._element.getparent().remove(run._element)
    if first.runs:
        first.runs[0].text = lines[0]
    else:
        first.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line)


def fill_docx(data: bytes, track, signatures: dict, language: str) -> bytes | None:
    """The .docx with each party's block filled, or None when its signature blocks cannot be found."""
    document = DocxDocument(io.BytesIO(data))
    table, columns = _blocks_table(document)
    if table is None:
        return None
    with force_locale(language):
        for index, party in columns.items():
            signature = signatures.get(party)
            if signature is None:
                continue
            lines = block_lines(track, party, signature)
            cells = [row.cells[index] for row in table.rows[1:] if index < len(row.cells)]
            signed = dated = False
            for cell in cells:
                text = _plain(cell.text)
                if re.match(r"^(nom|name)\b", text):
                    _set(cell, [f"{_('Name')}{' :' if language == 'fr' else ':'} {lines['name']}"])
                elif text.startswith("date"):
                    _set(cell, [("Date : " if language == "fr" else "Date: ") + lines["date"]])
                    dated = True
                elif text.startswith("signature"):
                    _set(cell, [lines["name"], lines["meaning"], lines["how"]])
                    signed = True
            if not (signed and dated) and cells:
                last = cells[-1]
                for line in (lines["name"], lines["meaning"], lines["date"], lines["how"]):
                    last.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def signatures_page(track, signatures: dict, language: str) -> bytes:
    """A page of the three filled signature blocks, for an agreement whose own blocks cannot be found."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from tracker.signing.certificate import _fonts, _styles

    _fonts()
    styles = _styles()
    with force_locale(language):
        story = [Paragraph(escape(_("Signatures")), styles["title"])]
        for party in rules.PARTIES:
            story.append(Paragraph(escape(str(rules.PARTY_LABELS[party]).capitalize()), styles["heading"]))
            signature = signatures.get(party)
            if signature is None:
                story.append(Paragraph(escape(_("No signature recorded.")), styles["body"]))
                continue
            lines = block_lines(track, party, signature)
            for key in ("name", "meaning", "date", "how"):
                story.append(Paragraph(escape(lines[key]), styles["body"]))
            story.append(Spacer(1, 4 * mm))
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                          bottomMargin=18 * mm, title=_("Signatures")).build(story)
    return out.getvalue()

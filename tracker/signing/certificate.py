"""The signature certificate: the page that follows the agreement in the executed PDF (SPEC 5c).

It names the contract, the site and the version signed with its SHA-256, then, for each party,
the evidence recorded with its signature: who, which address, how, when, from which IP address and
browser. It is written in the language of the sponsor's agreements, with the font ReportLab ships.
"""
from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tracker.documents.context import party_name
from tracker.stages import rules
from tracker.timeutil import zone

_FONTS = {"Vera": "Vera.ttf", "Vera-Bold": "VeraBd.ttf"}


def _fonts() -> None:
    for name, file in _FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, file))


def _styles() -> dict[str, ParagraphStyle]:
    return {"title": ParagraphStyle("title", fontName="Vera-Bold", fontSize=15, leading=19, spaceAfter=6),
            "heading": ParagraphStyle("heading", fontName="Vera-Bold", fontSize=10.5, leading=14, spaceBefore=8,
                                      spaceAfter=3),
            "body": ParagraphStyle("body", fontName="Vera", fontSize=8.5, leading=11),
            "label": ParagraphStyle("label", fontName="Vera-Bold", fontSize=8, leading=10.5),
            "value": ParagraphStyle("value", fontName="Vera", fontSize=8, leading=10.5)}


def when_text(at: datetime, timezone: str) -> str:
    """An instant as UTC and as the site's local time, both in ISO form (unambiguous in any language)."""
    local = at.astimezone(zone(timezone))
    return f"{at.astimezone(zone('UTC')).strftime('%Y-%m-%d %H:%M:%S')} UTC ({local.strftime('%Y-%m-%d %H:%M:%S %Z')})"


def _table(rows: list[tuple[str, str]], styles) -> Table:
    data = [[Paragraph(escape(label), styles["label"]), Paragraph(escape(value or "—"), styles["value"])]
            for label, value in rows]
    table = Table(data, colWidths=[42 * mm, 128 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25,
                                                                      colors.HexColor("#d8dce3")),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 3)]))
    return table


def evidence_rows(signature, timezone: str) -> list[tuple[str, str]]:
    """One signature's evidence as (label, value) lines, in the current language."""
    if signature.method == "online":
        how = _("Online: simple electronic signature (eIDAS art. 25), name typed, consent given and confirmed "
                "by a one-time code sent to the e-mail address")
    else:
        how = _("Made elsewhere and recorded by %(who)s", who=signature.recorded_by.name
                if signature.recorded_by else _("the tracker"))
        if signature.evidence is not None:
            how += " · " + _("signed copy kept: version %(n)d, SHA-256 %(sha)s", n=signature.evidence.version,
                             sha=signature.evidence.sha256)
    return [
        (_("Name"), signature.typed_name or ""),
        (_("Capacity"), signature.capacity or ""),
        (_("E-mail"), signature.email or ""),
        (_("How"), how),
        (_("Consent accepted"), signature.consent_text or ""),
        (_("Signed at"), when_text(signature.signed_at, timezone)),
        (_("Version signed"), _("version %(n)s, SHA-256 %(sha)s", n=signature.document_version,
                                sha=signature.sha256) if signature.sha256 else ""),
        (_("PDF read and signed"), _("SHA-256 %(sha)s", sha=signature.pdf_sha256) if signature.pdf_sha256 else ""),
        (_("IP address"), signature.ip_address or ""),
        (_("Browser"), signature.user_agent or ""),
    ]


def certificate_pdf(values: dict, language: str) -> bytes:
    """The certificate page(s) as PDF. ``values``: contract, track, fixed, signatures (party -> Signature),
    issued_at and verify (the verification page's address)."""
    _fonts()
    styles = _styles()
    contract, track, fixed = values["contract"], values["track"], values["fixed"]
    timezone = track.site.timezone
    with force_locale(language):
        story = [Paragraph(escape(_("Signature certificate")), styles["title"]),
                 _table([(_("Contract"), f"{contract.reference} — {contract.title}"),
                         # the parties named as the agreement names them (tracker.documents.context)
                         (_("Sponsor"), party_name(contract.sponsor)),
                         (_("Site"), f"{party_name(track.site)} ({track.site.code})"),
                         (_("Document signed"), _("%(file)s, version %(n)d", file=fixed.document.filename,
                                                  n=fixed.document.version)),
                         (_("SHA-256 of the document"), fixed.sha256)], styles),
                 Spacer(1, 3 * mm),
                 Paragraph(escape(_("The pages before this certificate are that version converted to PDF, each "
                                    "signature shown in its block. Each party signed it as follows.")), styles["body"])]
        for party in rules.PARTIES:
            signature = values["signatures"].get(party)
            story.append(Paragraph(escape(str(rules.PARTY_LABELS[party]).capitalize()), styles["heading"]))
            story.append(_table(evidence_rows(signature, timezone), styles) if signature is not None
                         else Paragraph(escape(_("No signature recorded.")), styles["body"]))
        story += [Spacer(1, 5 * mm), Paragraph(escape(_(
            "Issued by the fast-track contract tracker of Gustave Roussy and Institut Bergonié on %(when)s. "
            "The file carries the tracker's electronic seal over its whole content: any PDF reader shows whether it "
            "is intact. To check it here too, open %(url)s: it recognises this PDF by its SHA-256, and any change "
            "to the file, even of one byte, makes the check fail.", when=when_text(values["issued_at"], timezone),
            url=values["verify"])), styles["body"])]
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                                bottomMargin=18 * mm, title=_("Signature certificate"),
                                author="Fast-track contract tracker", subject=contract.reference)
        doc.build(story)
    return out.getvalue()

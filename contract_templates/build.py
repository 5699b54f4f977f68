"""Write the standard agreements (SPEC 5) as .docx templates: `python contract_templates/build.py`.

The clauses live in source/fr.txt and source/en.txt so that legal staff can review wording
without reading Python; this script only lays them out with python-docx.  Each language gives
two files: the coordinating-site agreement and the associated-site one, which states that it
carries the terms agreed with the coordinating site; and an amendment (avenant), from
source/amendment_fr.txt and source/amendment_en.txt, which cites the agreement it amends.  Output is byte-for-byte reproducible
(fixed dates in the package) so that rebuilding without changes leaves git clean.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
ROLES = ("coordinating", "associated")
LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}
TITLES = {
    ("fr", "coordinating"): "Convention unique — établissement coordonnateur (modèle)",
    ("fr", "associated"): "Convention unique — établissement associé (modèle)",
    ("en", "coordinating"): "Single clinical trial agreement — coordinating institution (template)",
    ("en", "associated"): "Single clinical trial agreement — associated institution (template)",
    ("fr", "amendment"): "Avenant à la convention unique (modèle)",
    ("en", "amendment"): "Amendment to the single clinical trial agreement (template)",
}
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
HEADER_FILL = "D9E2F3"
SUBCLAUSE = re.compile(r"^(\d+\.\d+\.)\s+")
# Column widths (cm) by number of columns: identity table, budget table, signature blocks.
WIDTHS = {2: (6.5, 10.0), 3: (8.5, 4.5, 3.5)}
SIGNATURE_WIDTHS = (5.5, 5.5, 5.5)


def build(language: str, role: str) -> bytes:
    """Lay out one agreement from the language's clause source, keeping lines for this role
    (``amendment``: the amendment's own source, the same for every site)."""
    document = Document()
    _page_and_styles(document, LANGUAGES[language])
    table_rows: list[str] = []
    source = f"amendment_{language}.txt" if role == "amendment" else f"{language}.txt"
    for line in _lines(HERE / "source" / source, role):
        if line.startswith("|"):
            table_rows.append(line)
            continue
        if table_rows:
            _table(document, table_rows)
            table_rows = []
        _block(document, line)
    if table_rows:
        _table(document, table_rows)
    properties = document.core_properties
    properties.title = TITLES[language, role]
    properties.author = "Gustave Roussy · Institut Bergonié"
    properties.language = LANGUAGES[language]
    properties.created = properties.modified = properties.last_printed = FIXED_DATE
    properties.revision = 1
    buffer = BytesIO()
    document.save(buffer)
    return _reproducible(buffer.getvalue())


def _lines(path: Path, role: str):
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith(";;"):
            continue
        prefix, _, rest = raw.partition(": ")
        if prefix in ROLES:
            if prefix != role:
                continue
            raw = rest
        yield raw


def _page_and_styles(document, language_tag: str) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    language = OxmlElement("w:lang")  # so Word spell-checks French clauses as French
    language.set(qn("w:val"), language_tag)
    normal.element.get_or_add_rPr().append(language)
    for level in (1, 2):
        heading = document.styles[f"Heading {level}"]
        heading.font.color.rgb = NAVY
        heading.font.size = Pt(12 if level == 1 else 11)
        heading.paragraph_format.space_before = Pt(12)


def _block(document, line: str) -> None:
    if line.startswith("@header ") or line.startswith("@footer "):
        kind, text = line[1:7], line[8:]
        part = getattr(document.sections[0], kind)
        paragraph = part.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if kind == "footer" else WD_ALIGN_PARAGRAPH.RIGHT
        before, _, after = text.partition("{PAGE}")
        _runs(paragraph, before, size=8)
        if _:
            _page_field(paragraph)
            _runs(paragraph, after, size=8)
    elif line.startswith("== "):
        paragraph = _centred(document, line[3:])
        for run in paragraph.runs:
            run.font.size, run.italic = Pt(12), True
    elif line.startswith("= "):
        paragraph = _centred(document, f"**{line[2:]}**")
        paragraph.runs[0].font.size = Pt(18)
        paragraph.runs[0].font.color.rgb = NAVY
    elif line.startswith("~ "):
        text = line[2:]
        paragraph = _centred(document, f"**{text}**" if text.upper() == text else text)
        paragraph.paragraph_format.keep_with_next = True  # a heading line never ends a page
    elif line.startswith("# "):
        document.add_heading(line[2:], level=1)
    elif line.startswith("> "):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(1)
        _runs(paragraph, line[2:], italic=True)
    elif line.startswith("- "):
        _runs(document.add_paragraph(style="List Bullet"), line[2:])
    else:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _runs(paragraph, SUBCLAUSE.sub(r"**\1** ", line))


def _centred(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _runs(paragraph, text)
    return paragraph


def _runs(paragraph, text: str, *, italic: bool = False, size: float | None = None) -> None:
    """Add text to a paragraph; **...** marks bold runs."""
    for index, chunk in enumerate(text.split("**")):
        if not chunk:
            continue
        run = paragraph.add_run(chunk)
        run.bold = index % 2 == 1 or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)


def _page_field(paragraph) -> None:
    """A PAGE field, which python-docx has no API for: Word and LibreOffice compute the number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    properties, size = OxmlElement("w:rPr"), OxmlElement("w:sz")
    size.set(qn("w:val"), "16")  # 8 pt, like the rest of the footer
    properties.append(size)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _table(document, lines: list[str]) -> None:
    # cells are separated by " | " (spaced, so that Jinja filters like {{ x|upper }} survive)
    rows = [[cell.strip() for cell in re.split(r" \|(?: |$)", line.lstrip("|!^"))] for line in lines]
    columns = max(len(row) for row in rows)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    signatures = any(line.startswith("|^") for line in lines)
    widths = SIGNATURE_WIDTHS if signatures else WIDTHS[columns]
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)  # LibreOffice lays tables out from the grid, Word from the cells
    for number, (line, cells) in enumerate(zip(lines, rows), 1):
        row = table.add_row()
        if line.startswith("|^"):
            row.height = Cm(2.2)  # room for a handwritten signature
        # signature blocks stay on one page: each row keeps with the next one
        keep = signatures and number < len(lines)
        for index, cell in enumerate(row.cells):
            cell.width = Cm(widths[index])
            text = cells[index] if index < len(cells) else ""
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(2)
            paragraph.paragraph_format.keep_with_next = keep or None
            _runs(paragraph, f"**{text}**" if line.startswith("|!") and text else text)
            if line.startswith("|!"):
                _shade(cell)
    document.add_paragraph()


def _shade(cell) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), HEADER_FILL)
    cell._tc.get_or_add_tcPr().append(shading)


def _reproducible(data: bytes) -> bytes:
    """Rewrite the package with fixed member dates: python-docx stamps them with the clock."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else HERE
    for language in LANGUAGES:
        for role in (*ROLES, "amendment"):
            path = target / f"{role}_{language}.docx"
            path.write_bytes(build(language, role))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Documents to feed the tracker: the shipped templates, small .docx files and zip archives."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "contract_templates"
ROOT_TEMPLATE = TEMPLATES / "coordinating_fr.docx"
# Converting to PDF (signing, executed agreements) needs LibreOffice on the machine.
needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice (soffice) is not installed")


def docx_bytes(*paragraphs: str, base: str | Path | None = ROOT_TEMPLATE) -> bytes:
    """A .docx: ``base`` (the French coordinating agreement unless None) with ``paragraphs`` added at the end."""
    document = docx.Document(str(base)) if base else docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive holding ``members`` (name -> bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()

"""A template version previewed as PDF: filled with a sample contract, converted by LibreOffice.

LibreOffice runs headless with a profile of its own in a temporary folder, so previews made
at the same time (or by the test suite) do not fight over one profile's lock. A preview is
kept per template version and process, as the same version always gives the same PDF.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from flask_babel import lazy_gettext as _l

from tracker.documents.catalogue import sample_context
from tracker.documents.library import prepared
from tracker.documents.engine.render import TemplateError
from tracker.errors import DocumentProblems, DomainError
from tracker.recent import Recent

TIMEOUT = 180
_CACHE_MAX = 8
_CACHE = Recent(_CACHE_MAX)  # PDF by template SHA-256, the most recently used


class PreviewUnavailable(DomainError):
    status = 503
    code = "unavailable"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes) -> bytes:
    """Convert a .docx to PDF with LibreOffice headless; PreviewUnavailable if it cannot."""
    program = soffice()
    if program is None:
        raise PreviewUnavailable(str(_l("LibreOffice is not installed on the server, so no PDF preview can be made.")))
    with tempfile.TemporaryDirectory(prefix="tracker-preview-") as folder:
        work = Path(folder)
        source = work / "preview.docx"
        source.write_bytes(docx)
        try:
            subprocess.run([program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(work), str(source)],
                           check=True, capture_output=True, timeout=TIMEOUT)
        except (subprocess.SubprocessError, OSError):
            raise PreviewUnavailable(str(_l("LibreOffice could not convert the document; try again later.")))
        result = work / "preview.pdf"
        if not result.exists():
            raise PreviewUnavailable(str(_l("LibreOffice could not convert the document; try again later.")))
        return result.read_bytes()


def preview_pdf(template) -> bytes:
    """The template version filled with sample values, as PDF."""
    cached = _CACHE.get(template.sha256)
    if cached is not None:
        return cached
    try:
        filled = prepared(template).render(sample_context())
    except TemplateError as exc:
        raise DocumentProblems(exc.problems, field="template")
    pdf = to_pdf(filled)
    _CACHE.put(template.sha256, pdf)
    return pdf

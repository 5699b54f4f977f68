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
    [pdf] = to_pdfs([docx])
    if pdf is None:
        raise PreviewUnavailable(str(_l("LibreOffice could not convert the document; try again later.")))
    return pdf


def to_pdfs(docxs: list[bytes]) -> list[bytes | None]:
    """Convert several .docx files in one LibreOffice run (starting it costs more than a conversion):
    each one's PDF, None where that one failed; PreviewUnavailable if LibreOffice is missing or fails
    as a whole."""
    program = soffice()
    if program is None:
        raise PreviewUnavailable(str(_l("LibreOffice is not installed on the server, so no PDF preview can be made.")))
    if not docxs:
        return []
    with tempfile.TemporaryDirectory(prefix="tracker-preview-") as folder:
        work = Path(folder)
        sources = [work / f"document-{number}.docx" for number in range(len(docxs))]
        for source, docx in zip(sources, docxs):
            source.write_bytes(docx)
        try:
            subprocess.run([program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(work), *map(str, sources)],
                           check=True, capture_output=True, timeout=TIMEOUT + 60 * (len(docxs) - 1))
        except (subprocess.SubprocessError, OSError):
            raise PreviewUnavailable(str(_l("LibreOffice could not convert the document; try again later.")))
        results = [source.with_suffix(".pdf") for source in sources]
        return [result.read_bytes() if result.exists() else None for result in results]


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

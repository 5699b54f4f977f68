"""Upload checks for .docx files (SPEC 5): refuse, with reasons, before anything is stored.

Everything about size is decided from the zip's central directory before a single member is
inflated: python-docx opens whatever it is given, so a 40 kB zip that inflates to 4 GB must
be stopped here.  The declared sizes can be trusted for that purpose because zipfile never
inflates a member past its declared size (a lying entry fails its CRC instead).
"""
from __future__ import annotations

import difflib
import zipfile
from io import BytesIO

from tracker.documents.render import PreparedTemplate, TemplateError, prepare

MAGIC = b"PK\x03\x04"
REQUIRED = ("[Content_Types].xml", "word/document.xml")
WORD_MAIN = b"wordprocessingml.document.main+xml"
MiB = 1024 * 1024

# SPEC 5: the fields every template may use.  `budget[].item` is the item of one budget row,
# as a template reads it through a loop variable: {%tr for row in budget %}{{ row.item }}.
TEMPLATE_FIELDS: frozenset[str] = frozenset({
    "sponsor.name", "sponsor.address", "sponsor.country", "sponsor.registration_number",
    "sponsor.representative",
    "site.code", "site.name", "site.legal_name", "site.address", "site.finess", "site.siret",
    "site.representative", "site.role",
    "investigator.name",
    "contract.reference", "contract.title", "contract.acronym", "contract.protocol_number",
    "contract.eu_ct_number", "contract.phase", "contract.indication", "contract.patients",
    "budget", "budget[].item", "budget[].amount", "budget[].unit",
    "today",
})


class DocumentRejected(Exception):
    """An upload is refused; `problems` names each reason (shown to the uploader, 422 in the API)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class TemplateRejected(DocumentRejected):
    """A .docx that is fine as a document but unusable as a template (fields, syntax)."""

    def __init__(self, problems: list[str], unknown_fields: list[str] | None = None) -> None:
        super().__init__(problems)
        self.unknown_fields = unknown_fields or []


def check_docx(
    data: bytes,
    *,
    max_entries: int = 300,
    max_uncompressed: int = 50 * MiB,
    max_size: int = 20 * MiB,
    max_ratio: int = 100,
) -> None:
    """Refuse what is not a Word document, or would be too big once inflated (zip bombs)."""
    if len(data) > max_size:
        raise DocumentRejected([f"the file is {_mib(len(data))}, larger than the {_mib(max_size)} allowed"])
    if not data.startswith(MAGIC):
        raise DocumentRejected(["not a .docx file (Word documents are zip archives; this is not one)"])
    try:
        archive = zipfile.ZipFile(BytesIO(data))  # reads the central directory only
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentRejected([f"not a .docx file: the zip archive is damaged ({exc})"]) from exc
    with archive:
        infos = archive.infolist()
        problems = _size_problems(infos, max_entries, max_uncompressed, max_ratio)
        if problems:
            raise DocumentRejected(problems)  # stop before inflating anything
        problems = _content_problems(archive, infos)
    if problems:
        raise DocumentRejected(problems)


def _size_problems(infos, max_entries: int, max_uncompressed: int, max_ratio: int) -> list[str]:
    problems = []
    if len(infos) > max_entries:
        problems.append(f"the archive holds {len(infos)} files, more than the {max_entries} a .docx needs")
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed:
        problems.append(
            f"the archive would expand to {_mib(total)}, more than the {_mib(max_uncompressed)} allowed"
        )
    for info in infos:
        # Ordinary XML compresses 5-20 times; a member above 1 MiB that shrank 100 times or more
        # is filler built to exhaust memory.
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MiB and ratio > max_ratio:
            problems.append(f"{info.filename} is compressed {ratio:.0f} times: refused as a zip bomb")
            break
    return problems


def _content_problems(archive: zipfile.ZipFile, infos) -> list[str]:
    names = [info.filename for info in infos]
    problems = [f"not a Word document: {name} is missing" for name in REQUIRED if name not in names]
    if len(set(names)) != len(names):
        problems.append("the archive lists the same file twice")  # readers disagree on which wins
    if any(info.flag_bits & 0x1 for info in infos):
        problems.append("the document is encrypted or password-protected")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        problems.append("the document contains macros; save it as a plain .docx")
    if not problems:
        content_types = archive.read("[Content_Types].xml")  # small, and sizes were checked above
        if WORD_MAIN not in content_types:
            problems.append("not a Word document (.docx): the package declares another content type")
    return problems


def check_template(data: bytes, allowed_fields: set[str] | frozenset[str] = TEMPLATE_FIELDS) -> PreparedTemplate:
    """Vet an uploaded template: a safe .docx, valid syntax, only fields the application provides."""
    check_docx(data)
    try:
        prepared = prepare(data)
    except TemplateError as exc:
        raise TemplateRejected(exc.problems) from exc
    unknown = sorted(name for name in prepared.fields if not _known(name, allowed_fields))
    if unknown:
        raise TemplateRejected([_unknown_message(unknown, prepared, allowed_fields)], unknown)
    return prepared


def _known(name: str, allowed) -> bool:
    """A field is known if provided, or if it is a provided object used whole (`{{ sponsor }}`)."""
    if name in allowed:
        return True
    return any(field.startswith(name + ".") or field.startswith(name + "[]") for field in allowed)


def _unknown_message(unknown: list[str], prepared: PreparedTemplate, allowed) -> str:
    described = []
    for name in unknown:
        written = prepared.spellings.get(name, name)
        text = name if written == name else f"{written} (= {name})"
        close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.75)
        if close:
            text += f", did you mean {_as_written(close[0], name, written)}?"
        described.append(text)
    return "unknown fields: " + "; ".join(described)


def _as_written(suggestion: str, name: str, written: str) -> str:
    """Say 'row.item', not 'budget[].item', to an author who wrote row.itme inside a loop."""
    shared = 0
    while shared < min(len(name), len(written)) and name[-1 - shared] == written[-1 - shared]:
        shared += 1
    prefix = name[: len(name) - shared]
    if written == name or not suggestion.startswith(prefix):
        return suggestion
    return written[: len(written) - shared] + suggestion[len(prefix):]


def _mib(size: int) -> str:
    return f"{size / MiB:.1f} MiB"

"""Upload checks for .docx files (SPEC 5): refuse, with reasons, before anything is stored.

Everything about size is decided from the zip's central directory before a single member is
inflated: python-docx opens whatever it is given, so a 40 kB zip that inflates to 4 GB must
be stopped here.  The declared sizes can be trusted for that purpose because zipfile never
inflates a member past its declared size (a lying entry fails its CRC instead).

Then every entry name must be a normal part name, and every XML part must parse - without
a DOCTYPE or entities - so that nothing stored can later break a list, a comparison or an
agreement generated from it.  Last, what the package declares (relations.py): no macros, no
link that Word would follow by itself when the document is opened, and a real Word body.
"""
from __future__ import annotations

import difflib
import zipfile
from io import BytesIO

from lxml import etree

from tracker.documents.engine.package import is_folder, name_problem
from tracker.documents.engine.problems import N_, Joined, Problem, shown
from tracker.documents.engine.relations import package_problems
from tracker.documents.engine.render import TEMPLATED_PART, PreparedTemplate, TemplateError, prepare
from tracker.documents.engine.wordxml import ForbiddenXML, parse_xml

MAGIC = b"PK\x03\x04"
REQUIRED = ("[Content_Types].xml", "word/document.xml")
WORD_MAIN = b"wordprocessingml.document.main+xml"
XML_PART = (".xml", ".rels")
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
    # the legal identity, each site's own figures and the values written for the template's language
    "sponsor.legal_name", "sponsor.legal_form", "sponsor.share_capital", "sponsor.rcs_city", "sponsor.vat_number",
    "sponsor.representative_title", "sponsor.designation",
    "site.representative_title", "site.designation", "site.patients", "site.third_party",
    "site.budget", "site.budget[].item", "site.budget[].amount", "site.budget[].unit", "site.budget[].amount_text",
    "site.budget[].unit_text", "budget[].amount_text", "budget[].unit_text",
    *(f"coordinating_site.{name}" for name in (
        "code", "name", "legal_name", "designation", "address", "finess", "siret", "representative",
        "representative_title", "role", "patients", "investigator")),
    "investigator.title", "investigator.department", "investigator.rpps",
    "contract.cro", "budget_total", "budget_total_text", "today_text",
})


class DocumentRejected(Exception):
    """An upload is refused; `problems` names each reason (shown to the uploader, 422 in the API)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class TemplateRejected(DocumentRejected):
    """A .docx that is fine as a document but unusable as a template (fields, syntax)."""

    def __init__(self, problems: list[Problem], unknown_fields: list[str] | None = None) -> None:
        super().__init__(problems)
        self.unknown_fields = unknown_fields or []


def check_docx(
    data: bytes,
    *,
    max_entries: int = 300,
    max_uncompressed: int = 50 * MiB,
    max_size: int = 20 * MiB,
    max_ratio: int = 100,
    xml_parts=lambda name: True,
) -> None:
    """Refuse what is not a Word document, would be too big once inflated (zip bombs), names its parts
    in ways that could escape the document, or holds XML that is damaged or declares entities.

    `xml_parts(name)` says which XML parts to parse here (check_template leaves the ones it
    parses itself to prepare(), which says where in the text a problem is).
    """
    if len(data) > max_size:
        raise DocumentRejected([Problem(N_("the file is %(size)s MiB, larger than the %(limit)s MiB allowed"),
                                        size=_mib(len(data)), limit=_mib(max_size))])
    if not data.startswith(MAGIC):
        raise DocumentRejected([Problem(N_("not a .docx file (Word documents are zip archives; this is not one)"))])
    try:
        archive = zipfile.ZipFile(BytesIO(data))  # reads the central directory only
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentRejected([Problem(N_("not a .docx file: the zip archive is damaged (%(detail)s)"),
                                        detail=shown(str(exc), 200))]) from exc
    with archive:
        infos = archive.infolist()
        problems = _size_problems(infos, max_entries, max_uncompressed, max_ratio) + _name_problems(infos)
        if problems:
            raise DocumentRejected(problems)  # stop before inflating anything
        problems = _content_problems(archive, infos)
        if not problems:
            problems = _xml_problems(archive, [info for info in infos if xml_parts(info.filename)])
        if not problems:
            problems = package_problems(archive, [info.filename for info in infos])
    if problems:
        raise DocumentRejected(problems)


def _size_problems(infos, max_entries: int, max_uncompressed: int, max_ratio: int) -> list[Problem]:
    problems = []
    if len(infos) > max_entries:
        problems.append(Problem(N_("the archive holds %(count)s files, more than the %(limit)s a .docx needs"),
                                count=len(infos), limit=max_entries))
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed:
        problems.append(Problem(N_("the archive would expand to %(size)s MiB, more than the %(limit)s MiB allowed"),
                                size=_mib(total), limit=_mib(max_uncompressed)))
    for info in infos:
        # Ordinary XML compresses 5-20 times; a member above 1 MiB that shrank 100 times or more
        # is filler built to exhaust memory.
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MiB and ratio > max_ratio:
            problems.append(Problem(N_("%(name)s is compressed %(ratio)s times: refused as a zip bomb"),
                                    name=shown(info.filename), ratio=round(ratio)))
            break
    return problems


def _name_problems(infos) -> list[Problem]:
    """Entry names: normal part names only, and no two that a reader could take for the same part."""
    problems = [problem for problem in map(name_problem, (info.filename for info in infos)) if problem]
    folded = [info.filename.casefold() for info in infos]
    if len(set(folded)) != len(folded):  # part names ignore case: readers disagree on which wins
        problems.append(Problem(N_("the archive lists the same file twice")))
    return problems[:10]


def _content_problems(archive: zipfile.ZipFile, infos) -> list[Problem]:
    names = [info.filename for info in infos]
    problems = [Problem(N_("not a Word document: %(name)s is missing"), name=name)
                for name in REQUIRED if name not in names]
    if any(info.flag_bits & 0x1 for info in infos):
        problems.append(Problem(N_("the document is encrypted or password-protected")))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        problems.append(Problem(N_("the document contains macros; save it as a plain .docx")))
    if not problems:
        content_types = archive.read("[Content_Types].xml")  # small, and sizes were checked above
        if WORD_MAIN not in content_types:
            problems.append(Problem(N_("not a Word document (.docx): the package declares another content type")))
    return problems


def _xml_problems(archive: zipfile.ZipFile, infos) -> list[Problem]:
    """Every XML part parses, with no DOCTYPE."""
    problems = []
    for info in infos:
        if is_folder(info) or not info.filename.lower().endswith(XML_PART):
            continue
        try:
            parse_xml(archive.read(info))
        except etree.XMLSyntaxError as exc:
            problems.append(Problem(N_("%(name)s is not well-formed XML (%(detail)s)"), name=shown(info.filename),
                                    detail=shown(str(exc), 200)))
            continue
        except ForbiddenXML:
            problems.append(Problem(N_("%(name)s declares a DOCTYPE, which a Word document never has (entities "
                                       "are refused)"), name=shown(info.filename)))
            continue
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # bad CRC, truncated data
            problems.append(Problem(N_("%(name)s cannot be read (%(detail)s)"), name=shown(info.filename),
                                    detail=shown(str(exc), 200)))
    return problems[:10]


def check_template(data: bytes, allowed_fields: set[str] | frozenset[str] = TEMPLATE_FIELDS) -> PreparedTemplate:
    """Vet an uploaded template: a safe .docx, valid syntax, only fields the application provides,
    and no loop or value that would go over a render's bounds whatever the contract."""
    check_docx(data, xml_parts=lambda name: not TEMPLATED_PART.fullmatch(name))  # prepare() parses those
    try:
        prepared = prepare(data)
    except TemplateError as exc:
        raise TemplateRejected(exc.problems) from exc
    unknown = sorted(name for name in prepared.fields if not _known(name, allowed_fields))
    problems = [_unknown_message(unknown, prepared, allowed_fields)] if unknown else []
    problems += prepared.excessive  # loops or values over the render's bounds, visible in the tags
    if problems:
        raise TemplateRejected(problems, unknown)
    return prepared


def _known(name: str, allowed) -> bool:
    """A field is known if provided, or if it is a provided object used whole (`{{ sponsor }}`)."""
    if name in allowed:
        return True
    return any(field.startswith(name + ".") or field.startswith(name + "[]") for field in allowed)


def _unknown_message(unknown: list[str], prepared: PreparedTemplate, allowed) -> Problem:
    described = []
    for name in unknown:
        written = prepared.spellings.get(name, name)
        text = name if written == name else f"{written} (= {name})"
        close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.75)
        if close:
            text = Problem(N_("%(field)s, did you mean %(suggestion)s?"), field=text,
                           suggestion=_as_written(close[0], name, written))
        described.append(text)
    return Problem(N_("unknown fields: %(fields)s"), fields=Joined(described))


def _as_written(suggestion: str, name: str, written: str) -> str:
    """Say 'row.item', not 'budget[].item', to an author who wrote row.itme inside a loop."""
    shared = 0
    while shared < min(len(name), len(written)) and name[-1 - shared] == written[-1 - shared]:
        shared += 1
    prefix = name[: len(name) - shared]
    if written == name or not suggestion.startswith(prefix):
        return suggestion
    return written[: len(written) - shared] + suggestion[len(prefix):]


def _mib(size: int) -> float:
    return round(size / MiB, 1)

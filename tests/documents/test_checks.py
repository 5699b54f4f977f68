"""Uploads are refused with reasons: not a .docx, zip bombs, oversize, unknown fields, bad syntax."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest

from tracker.documents.engine.checks import (
    TEMPLATE_FIELDS,
    DocumentRejected,
    TemplateRejected,
    check_docx,
    check_template,
)
from tracker.documents.engine.render import PreparedTemplate

WORD_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/></Types>'
)


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(DocumentRejected) as refused:
        check_docx(data, **limits)
    return " ".join(refused.value.problems)


def test_a_real_docx_passes(build):
    assert check_docx(build.paragraphs("Bonjour")) is None


def test_not_a_zip_is_refused():
    assert "not a .docx file" in refusal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 a contract as PDF")
    assert "not a .docx file" in refusal(b"")


def test_damaged_zip_is_refused():
    assert "damaged" in refusal(b"PK\x03\x04" + b"\x00" * 200)


def test_a_zip_that_is_not_a_word_document_is_refused(build):
    message = refusal(build.zip({"hello.txt": b"hi", "data.csv": b"a,b"}))
    assert "[Content_Types].xml is missing" in message and "word/document.xml is missing" in message
    spreadsheet = build.zip({"[Content_Types].xml": WORD_TYPES.replace(b"wordprocessingml", b"spreadsheetml"),
                             "word/document.xml": b"<x/>"})
    assert "declares another content type" in refusal(spreadsheet)


def test_too_many_entries_is_refused(build):
    body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'
    members = {"[Content_Types].xml": WORD_TYPES, "word/document.xml": body}
    members.update({f"word/media/image{n}.png": b"x" for n in range(301)})
    assert "holds 303 files, more than the 300" in refusal(build.zip(members))
    assert check_docx(build.zip(members), max_entries=400) is None


def test_zip_bomb_is_refused_from_the_directory_without_inflating(build, monkeypatch):
    bomb = build.zip({
        "[Content_Types].xml": WORD_TYPES,
        "word/document.xml": b"<w/>",
        "word/media/filler.bin": bytes(60 * 1024 * 1024),  # 60 MiB of zeros deflate to ~60 kB
    })
    assert len(bomb) < 200_000

    def no_inflating(*args, **kwargs):
        raise AssertionError("a member was opened before the sizes were checked")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    message = refusal(bomb)
    assert "would expand to 60.0 MiB, more than the 50.0 MiB allowed" in message
    assert "filler.bin is compressed" in message


def test_suspicious_compression_ratio_is_refused_below_the_size_limit(build):
    dense = build.zip({"[Content_Types].xml": WORD_TYPES, "word/document.xml": bytes(5 * 1024 * 1024)})
    assert "word/document.xml is compressed" in refusal(dense)


def test_oversized_file_is_refused(build):
    data = build.paragraphs("x")
    assert "larger than the 0.0 MiB allowed" in refusal(data, max_size=1000)


def test_macro_enabled_document_is_refused(build):
    data = build.zip({"[Content_Types].xml": WORD_TYPES, "word/document.xml": b"<w/>",
                      "word/vbaProject.bin": b"\x00macro"})
    assert "contains macros" in refusal(data)


def test_check_template_returns_a_prepared_template(build):
    prepared = check_template(build.paragraphs("{{ sponsor.name }} {% for row in budget %}{{ row.amount }}{% endfor %}"))
    assert isinstance(prepared, PreparedTemplate)
    assert prepared.fields == {"sponsor.name", "budget", "budget[].amount"}


def test_unknown_fields_are_listed_by_name_sorted(build):
    data = build.paragraphs(
        "{{ sponsor.nmae }} pour {{ contract.title }}",
        "{% for row in budget %}{{ row.itme }}{% endfor %} {{ study.budget_total }}",
    )
    with pytest.raises(TemplateRejected) as refused:
        check_template(data)
    assert refused.value.unknown_fields == ["budget[].itme", "sponsor.nmae", "study.budget_total"]
    message = refused.value.problems[0]
    assert message.startswith("unknown fields: row.itme (= budget[].itme), did you mean row.item?")
    assert "sponsor.nmae, did you mean sponsor.name?" in message
    assert message.index("row.itme") < message.index("sponsor.nmae") < message.index("study.budget_total")


def test_whole_objects_of_known_fields_are_accepted(build):
    assert "sponsor" in check_template(build.paragraphs("{{ sponsor }}")).fields


def test_syntax_error_is_refused_with_where(build):
    data = build.paragraphs("Article 1", "Le promoteur {{ sponsor.name | }} signe")
    with pytest.raises(TemplateRejected) as refused:
        check_template(data)
    problem = refused.value.problems[0]
    assert problem.startswith('body, paragraph 2 ("Le promoteur {{ sponsor.name | }} signe")')


def test_template_checks_start_with_document_checks(build):
    with pytest.raises(DocumentRejected) as refused:
        check_template(b"not a zip at all")
    assert not isinstance(refused.value, TemplateRejected)


def test_custom_allowed_fields_narrow_the_check(build):
    data = build.paragraphs("{{ sponsor.name }} {{ site.name }}")
    check_template(data, {"sponsor.name", "site.name"})
    with pytest.raises(TemplateRejected) as refused:
        check_template(data, {"sponsor.name"})
    assert refused.value.unknown_fields == ["site.name"]


def test_spec_fields_are_all_allowed():
    spec = """sponsor.name sponsor.address sponsor.country sponsor.registration_number sponsor.representative
    site.code site.name site.legal_name site.address site.finess site.siret site.representative site.role
    investigator.name contract.reference contract.title contract.acronym contract.protocol_number
    contract.eu_ct_number contract.phase contract.indication contract.patients budget today""".split()
    assert set(spec) <= TEMPLATE_FIELDS
    assert {"budget[].item", "budget[].amount", "budget[].unit"} <= TEMPLATE_FIELDS


def test_damaged_document_xml_is_refused_as_a_template(build):
    data = build.zip({"[Content_Types].xml": WORD_TYPES, "word/document.xml": b"<w:document>{{ x }}"})
    with pytest.raises(TemplateRejected) as refused:
        check_template(data)
    assert "body: the XML is damaged" in refused.value.problems[0]


def test_uploaded_word_file_with_split_tags_is_accepted(word_template):
    document = docx.Document(io.BytesIO(word_template))
    assert document.paragraphs[0].runs[1].text == "{{ spon"  # really split, as Word saves it
    assert check_template(word_template).fields <= TEMPLATE_FIELDS

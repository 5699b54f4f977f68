"""The template engine fills docxtpl-style tags wherever Word put them, keeps formatting, escapes."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree

from tracker.documents.engine.render import PreparedTemplate, RenderError, TemplateInvalid, prepare

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def reopen(data: bytes):
    return docx.Document(io.BytesIO(data))


def part_xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def test_tag_split_across_runs_is_filled_with_the_first_runs_formatting(word_template, context):
    ctx = context()
    out = reopen(prepare(word_template).render(ctx))
    paragraph = out.paragraphs[0]
    assert paragraph.text == f"Le promoteur {ctx['sponsor']['name']} s'engage."
    filled = [run for run in paragraph.runs if ctx["sponsor"]["name"] in run.text]
    assert len(filled) == 1
    assert filled[0].text == ctx["sponsor"]["name"]
    assert filled[0].bold is True and not filled[0].italic and not filled[0].underline
    # the italic and underlined runs that held the rest of the tag are now empty
    assert [run.text for run in paragraph.runs if run.italic or run.underline] == ["", ""]


def test_fills_table_row_loops_headers_and_footers(word_template, context):
    ctx = context()
    out = reopen(prepare(word_template).render(ctx))
    rows = [[cell.text for cell in row.cells] for row in out.tables[0].rows]
    assert rows == [
        ["Item", "Amount", "Unit"],
        ["Visite de sélection (J-28)", "1 250,00 €", "par patient"],
        ["Cycle 1 J1 <PK & PD>", "2 100,00 €", "par visite"],
    ]
    item_runs = out.tables[0].rows[2].cells[0].paragraphs[0].runs
    assert item_runs[0].text == "Cycle 1 J1 <PK & PD>" and item_runs[0].italic is True
    header = out.sections[0].header.paragraphs[0]
    assert header.text == "Réf. GR-2026-0042"
    assert [run.bold for run in header.runs if run.text == "GR-2026-0042"] == [True]
    assert out.sections[0].footer.paragraphs[0].text == "Gustave Roussy — 29/11/2026"


def test_row_loop_repeats_row_per_budget_line(word_template, context):
    budget = [{"item": f"Visit {n}", "amount": n * 10, "unit": "per patient"} for n in range(30)]
    out = reopen(prepare(word_template).render(context(budget=budget)))
    assert [row.cells[0].text for row in out.tables[0].rows[1:]] == [f"Visit {n}" for n in range(30)]
    assert reopen(prepare(word_template).render(context(budget=[]))).tables[0].rows[-1].cells[0].text == "Item"


def test_paragraph_condition_keeps_or_drops_whole_paragraphs(word_template, context):
    template = prepare(word_template)
    without = [p.text for p in reopen(template.render(context())).paragraphs]
    assert not any("EU CT" in text or "{%" in text for text in without)
    with_number = [p.text for p in reopen(template.render(context(contract__eu_ct_number="2025-512345-12-00"))).paragraphs]
    assert "EU CT: 2025-512345-12-00" in with_number
    assert len(with_number) == len(without) + 1  # the {%p %} paragraphs themselves never show


def test_values_are_xml_escaped_and_every_part_stays_well_formed(word_template, context):
    out = prepare(word_template).render(context(sponsor__name='A & B <C> "D" \'E\''))
    xml = part_xml(out, "word/document.xml")
    assert "A &amp; B &lt;C&gt; &#34;D&#34; &#39;E&#39;" in xml
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(archive.read(name))  # raises if any part were corrupted
    assert reopen(out).paragraphs[0].runs[1].text == "A & B <C> \"D\" 'E'"


def test_line_breaks_tabs_and_control_characters_in_values(word_template, context):
    out = prepare(word_template).render(context(sponsor__name="Line one\r\nLine two\tend\x0b\x01"))
    xml = part_xml(out, "word/document.xml")
    assert "Line one</w:t><w:br/>" in xml and "<w:tab/>" in xml
    assert reopen(out).paragraphs[0].runs[1].text == "Line one\nLine two\tend"


def test_missing_or_empty_optional_fields_render_as_nothing(build, context):
    template = prepare(build.paragraphs(
        "EU CT [{{ contract.eu_ct_number }}] acronym [{{ contract.acronym }}] x [{{ nothing.at.all }}]",
    ))
    ctx = context()
    del ctx["contract"]["acronym"]
    text = reopen(template.render(ctx)).paragraphs[0].text
    assert text == "EU CT [] acronym [] x []"
    ctx["contract"]["eu_ct_number"] = ""
    assert "None" not in reopen(template.render(ctx)).paragraphs[0].text


def test_inline_blocks_word_quotes_and_filters_in_one_paragraph(build, context):
    template = prepare(build.paragraphs(
        "{% for row in budget %}{{ loop.index }}. {{ row.item|upper }}; {% endfor %}",
        "{% if site.role == \u201ccoordinating\u201d %}Coordonnateur{% else %}Associé{% endif %}",
        "Un { seul } accolade reste du texte.",
    ))
    paragraphs = [p.text for p in reopen(template.render(context())).paragraphs]
    assert paragraphs == [
        "1. VISITE DE SÉLECTION (J-28); 2. CYCLE 1 J1 <PK & PD>; ",
        "Coordonnateur",
        "Un { seul } accolade reste du texte.",
    ]


def test_fields_name_loop_variables_by_the_rows_they_walk(word_template):
    template = prepare(word_template)
    assert template.fields == {
        "sponsor.name", "contract.eu_ct_number", "budget", "budget[].item", "budget[].amount",
        "budget[].unit", "contract.reference", "site.name", "today",
    }
    assert template.spellings["budget[].item"] == "row.item"
    assert template.templated_parts == ("word/document.xml", "word/header1.xml", "word/footer1.xml")


def test_fields_skip_what_the_template_defines_itself(build):
    template = prepare(build.paragraphs(
        "{% set who = sponsor %}{{ who.name }} {{ sponsor.address.upper() }}",
        "{% for n in range(3) %}{{ loop.index }}{{ n }}{% endfor %}",
        "{% macro money(value) %}{{ value }} €{% endmacro %}{{ money(contract.patients) }}",
        "{% for row in budget|sort(attribute='amount') %}{{ row['unit'] }}{% endfor %}",
    ))
    assert template.fields == {
        "sponsor", "sponsor.name", "sponsor.address", "contract.patients", "budget", "budget[].unit",
    }


def test_untouched_parts_are_copied_as_stored(word_template, context):
    out = prepare(word_template).render(context())
    with zipfile.ZipFile(io.BytesIO(word_template)) as before, zipfile.ZipFile(io.BytesIO(out)) as after:
        assert after.namelist() == before.namelist()
        assert after.testzip() is None
        for name in ("word/styles.xml", "word/settings.xml", "[Content_Types].xml"):
            assert after.getinfo(name).CRC == before.getinfo(name).CRC
            assert after.getinfo(name).compress_size == before.getinfo(name).compress_size


def test_rendering_is_deterministic_and_reusable(word_template, context):
    template = prepare(word_template)
    first = template.render(context())
    assert template.render(context()) == first
    assert template.render(context(today="30/11/2026")) != first


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["Intro", "Article 3 {{ sponsor..name }}"], ["body, paragraph 2", "Article 3 {{ sponsor..name }}"]),
        (["{% if contract.phase %}Phase", "no end"], ["body, paragraph 1", "never closed"]),
        (["{{ contract.title|shout }}"], ["body, paragraph 1", "No filter named 'shout'"]),
        (["Le {{ sponsor.name } signe"], ["body, paragraph 1", "'{{' has no matching closing"]),
        (["{% endif %}"], ["has no opening tag"]),
        (["{% if x %}a{% endfor %}"], ["closes {% if x %}"]),
        (["{% include 'other.xml' %}"], ["{% include %} is not allowed"]),
        (["{{r sponsor.name }}"], ["{{r sponsor.name }} uses docxtpl rich text", "write {{ ... }}"]),
    ],
)
def test_prepare_refuses_broken_templates_saying_where(build, paragraphs, expected):
    with pytest.raises(TemplateInvalid) as refused:
        prepare(build.paragraphs(*paragraphs))
    message = " ".join(refused.value.problems)
    for fragment in expected:
        assert fragment in message


def test_syntax_error_in_a_header_names_the_header(build):
    document = docx.Document(io.BytesIO(build.paragraphs("ok")))
    document.sections[0].header.paragraphs[0].text = "Réf. {{ contract.reference }"
    with pytest.raises(TemplateInvalid) as refused:
        prepare(build.save(document))
    assert refused.value.problems[0].startswith('header 1, paragraph 1 ("Réf. {{ contract.reference }")')


def test_block_opened_in_a_paragraph_and_closed_in_a_table_cell_is_refused(build):
    document = docx.Document(io.BytesIO(build.paragraphs("{% if contract.eu_ct_number %}EU")))
    document.add_table(rows=1, cols=1).cell(0, 0).text = "{% endif %}"
    with pytest.raises(TemplateInvalid) as refused:
        prepare(build.save(document))
    assert "does not sit at the same level" in refused.value.problems[0]


def test_not_a_docx_is_refused_by_prepare():
    with pytest.raises(TemplateInvalid) as refused:
        prepare(b"plain text, not a zip")
    assert "not a readable .docx" in refused.value.problems[0]


def test_render_errors_are_reported_not_raised_raw(build, context):
    template = prepare(build.paragraphs("{{ contract.patients / 0 }}"))
    assert isinstance(template, PreparedTemplate)
    with pytest.raises(RenderError) as failed:
        template.render(context())
    assert failed.value.problems[0].startswith("body: ZeroDivisionError")


def test_package_streamed_with_data_descriptors_is_rewritten_cleanly(build, context):
    """Zips saved to a pipe carry sizes after the data (flag bit 3); copied members must still open."""

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, chunk):
            self.data += chunk
            return len(chunk)

    pipe = Pipe()
    with zipfile.ZipFile(io.BytesIO(build.paragraphs("Hello {{ sponsor.name }}"))) as source, \
            zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    streamed = bytes(pipe.data)
    assert all(info.flag_bits & 0x8 for info in zipfile.ZipFile(io.BytesIO(streamed)).infolist())
    out = prepare(streamed).render(context())
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        assert archive.testzip() is None
    assert reopen(out).paragraphs[0].text == "Hello Société Générale d'Études & Cie <R&D>"

"""A sponsor's redline is compared clause by clause with the version the site sent."""
from __future__ import annotations

import copy
import io

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tracker.documents.engine.checks import DocumentRejected, check_template
from tracker.documents.engine.compare import clauses_of, compare_documents, word_diff


def paragraph_starting(document, prefix: str):
    return next(p for p in document.paragraphs if p.text.startswith(prefix))


@pytest.fixture
def sent(builtin, context) -> bytes:
    return check_template(builtin("coordinating_fr")).render(context())


def redline(sent: bytes) -> bytes:
    """What a sponsor sends back: one clause reworded, one deleted, one added, one amount changed."""
    document = docx.Document(io.BytesIO(sent))
    termination = paragraph_starting(document, "16.2.")
    termination.runs[-1].text = termination.runs[-1].text.replace("trente (30) jours", "quinze (15) jours")
    removed = paragraph_starting(document, "7.3.")._p
    removed.getparent().remove(removed)
    publication = paragraph_starting(document, "11.2.")._p
    added = copy.deepcopy(publication)
    publication.addnext(added)
    docx.text.paragraph.Paragraph(added, None).text = (
        "11.3. Le Promoteur peut utiliser les données anonymisées à des fins de recherche ultérieure."
    )
    amount = next(cell for table in document.tables for row in table.rows for cell in row.cells
                  if cell.text == "2 100,00 €")
    amount.paragraphs[0].runs[0].text = "1 900,00 €"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_counts_on_a_real_redlined_copy(sent):
    comparison = compare_documents(sent, redline(sent))
    counts = comparison.counts
    assert {key: counts[key] for key in ("changed", "added", "removed")} == {"changed": 2, "added": 1, "removed": 1}
    assert counts["same"] == len(clauses_of(sent)) - 3
    by_status = {status: [c for c in comparison.clauses if c.status == status] for status in counts}
    assert [(c.old, c.new) for c in by_status["changed"]][1] == ("2 100,00 €", "1 900,00 €")
    reworded = by_status["changed"][0]
    assert "trente (30) jours" in reworded.old and "quinze (15) jours" in reworded.new
    assert reworded.fragments()[1:6] == [
        ("delete", "trente"), ("insert", "quinze"), ("equal", " ("), ("delete", "30"), ("insert", "15"),
    ]
    assert by_status["removed"][0].old.startswith("7.3. Les sommes dues") and by_status["removed"][0].new is None
    assert by_status["added"][0].new.startswith("11.3. Le Promoteur peut utiliser") and by_status["added"][0].old is None


def test_clauses_keep_document_order(sent):
    comparison = compare_documents(sent, redline(sent))
    order = [c.status for c in comparison.clauses if c.status != "same"]
    assert order == ["removed", "added", "changed", "changed"]  # 7.3, 11.3, 16.2, the amount in annex 1


def test_identical_documents_have_only_same_clauses(sent):
    comparison = compare_documents(sent, sent)
    assert comparison.counts == {"changed": 0, "added": 0, "removed": 0, "same": len(comparison.clauses)}
    assert comparison.differences == ()


def test_empty_paragraphs_and_spacing_are_ignored(build):
    before = build.paragraphs("Article 1", "Le promoteur paie.", "Article 2")
    after = build.paragraphs("Article 1", "", "Le  promoteur\u00a0paie.", "   ", "Article 2")
    assert compare_documents(before, after).counts["same"] == 3
    assert clauses_of(after) == ["Article 1", "Le promoteur paie.", "Article 2"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Le promoteur paie les surcoûts dans les quarante-cinq jours.",
         "Clause de non-concurrence sur dix territoires européens."),
        ("Phase", "Indication"),
    ],
)
def test_unrelated_replacement_is_removed_plus_added_not_changed(build, old, new):
    counts = compare_documents(build.paragraphs("Article 1", old, "Fin"), build.paragraphs("Article 1", new, "Fin")).counts
    assert (counts["changed"], counts["removed"], counts["added"], counts["same"]) == (0, 1, 1, 2)


def tracked(paragraph, kind: str, text: str) -> None:
    """Append a tracked insertion (w:ins) or deletion (w:del) to a paragraph, as Word saves them."""
    change = OxmlElement(f"w:{kind}")
    change.set(qn("w:id"), "1")
    change.set(qn("w:author"), "Sponsor Legal")
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t" if kind == "ins" else "w:delText")
    text_element.text = text
    text_element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(text_element)
    change.append(run)
    paragraph._p.append(change)


def test_tracked_changes_are_read_as_accepted(build):
    sent = build.paragraphs("Le paiement intervient à trente jours fin de mois.")
    document = docx.Document()
    paragraph = document.add_paragraph("Le paiement intervient à ")
    tracked(paragraph, "del", "trente")
    tracked(paragraph, "ins", "soixante")
    paragraph.add_run(" jours fin de mois.")
    comparison = compare_documents(sent, build.save(document))
    assert [(c.status, c.new) for c in comparison.clauses] == [
        ("changed", "Le paiement intervient à soixante jours fin de mois.")
    ]


def test_table_cells_are_clauses(build):
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Visite", (0, 1): "Montant", (1, 0): "J1", (1, 1): "100 €"}.items():
        table.cell(row, col).text = text
    assert clauses_of(build.save(document)) == ["Visite", "Montant", "J1", "100 €"]


def test_redline_that_is_not_a_docx_is_refused(sent):
    with pytest.raises(DocumentRejected):
        compare_documents(sent, b"%PDF-1.7 scanned redline")


def test_word_diff_marks_deletions_and_insertions():
    assert word_diff("payable à 45 jours", "payable à 60 jours") == [
        ("equal", "payable à "), ("delete", "45"), ("insert", "60"), ("equal", " jours"),
    ]

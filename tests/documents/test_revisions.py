"""Adopting a redline accepts its Word tracked changes; the changes of a version go back out as Word revisions."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import datetime, timezone

import docx
import pytest

from tests.helpers.word_redline import AUTHOR, body_paragraphs, word_redline
from tracker.documents.engine.checks import check_docx, check_template
from tracker.documents.engine.compare import clauses_of, compare_documents
from tracker.documents.engine.revisions import accept_all, has_revisions
from tracker.documents.engine.tracked import tracked_changes

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MARKS = ("<w:ins ", "<w:del ", "<w:moveFrom ", "<w:moveTo ", "w:commentReference", "w:commentRangeStart",
         "w:delText")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def sent(builtin, context) -> bytes:
    return check_template(builtin("coordinating_fr")).render(context())


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode()


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def test_adopting_accepts_every_change_and_drops_the_comments(sent):
    redline = word_redline(sent)
    assert "word/comments.xml" in names(redline.data) and has_revisions(redline.data)
    adopted = accept_all(redline.data)
    check_docx(adopted)  # still a sound package for every upload check
    docx.Document(io.BytesIO(adopted))  # and Word's object model opens it
    xml = part(adopted, "word/document.xml")
    assert not any(mark in xml for mark in MARKS), [mark for mark in MARKS if mark in xml]
    assert not has_revisions(adopted)
    assert not [n for n in names(adopted) if "comments" in n]
    assert "comments" not in part(adopted, "word/_rels/document.xml.rels")
    assert "comments" not in part(adopted, "[Content_Types].xml")
    assert body_paragraphs(adopted) == redline.accepted
    assert redline.changed in redline.accepted and redline.removed not in redline.accepted
    # The comparison read the redline as accepted: the adopted text is exactly what it compared.
    assert clauses_of(adopted) == clauses_of(redline.data)


def test_a_document_without_changes_comes_back_with_the_same_text(sent):
    assert clauses_of(accept_all(sent)) == clauses_of(sent)


def test_deleted_table_rows_and_formatting_changes_are_resolved(build):
    document = docx.Document()
    document.add_paragraph("Annexe financière")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Visite J1", (0, 1): "100 €", (1, 0): "Visite J8", (1, 1): "80 €"}.items():
        table.cell(row, col).text = text
    tr = table.rows[1]._tr
    tr_pr = tr.get_or_add_trPr()
    deletion = docx.oxml.OxmlElement("w:del")
    for key, value in (("w:id", "7"), ("w:author", AUTHOR), ("w:date", "2026-12-01T10:00:00Z")):
        deletion.set(docx.oxml.ns.qn(key), value)
    tr_pr.append(deletion)
    run = document.paragraphs[0].runs[0]
    change = docx.oxml.OxmlElement("w:rPrChange")
    change.set(docx.oxml.ns.qn("w:id"), "8")
    change.set(docx.oxml.ns.qn("w:author"), AUTHOR)
    run._r.get_or_add_rPr().append(change)
    adopted = accept_all(build.save(document))
    assert clauses_of(adopted) == ["Annexe financière", "Visite J1", "100 €"]
    assert "rPrChange" not in part(adopted, "word/document.xml")


def test_changes_go_out_as_word_revisions(sent):
    adopted = accept_all(word_redline(sent).data)
    at = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)
    out = tracked_changes(sent, adopted, author="Novacure Oncology SA", date=at)
    check_docx(out)
    docx.Document(io.BytesIO(out))
    xml = part(out, "word/document.xml")
    assert xml.count("<w:ins ") >= 2 and xml.count("<w:del ") >= 2
    assert 'w:author="Novacure Oncology SA"' in xml and 'w:date="2026-12-02T09:30:00Z"' in xml
    # Reading it as accepted gives the changed version; the base text is untouched outside the changes.
    assert clauses_of(accept_all(out)) == clauses_of(adopted)
    assert clauses_of(out) == clauses_of(adopted)  # the comparison reads revisions as accepted, too
    assert compare_documents(sent, out).counts == compare_documents(sent, adopted).counts


def test_no_change_writes_no_revision(sent):
    out = tracked_changes(sent, sent, author="X", date=datetime(2026, 12, 2, tzinfo=timezone.utc))
    xml = part(out, "word/document.xml")
    assert "<w:ins " not in xml and "<w:del " not in xml


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_it_and_lists_the_revisions(sent, tmp_path):
    adopted = accept_all(word_redline(sent).data)
    source = tmp_path / "changes.docx"
    source.write_bytes(tracked_changes(sent, adopted, author="Novacure Oncology SA",
                                       date=datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)))
    for target in ("pdf", "odt"):
        done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                               "--convert-to", target, "--outdir", str(tmp_path), str(source)],
                              capture_output=True, timeout=240)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "changes.pdf").read_bytes().startswith(b"%PDF-")
    with zipfile.ZipFile(tmp_path / "changes.odt") as odt:
        content = odt.read("content.xml").decode()
    # LibreOffice kept them as tracked changes (its review pane's list), with who made them.
    assert content.count("<text:changed-region") >= 4
    assert "<text:insertion>" in content and "<text:deletion>" in content
    assert "Novacure Oncology SA" in content


def test_deviations_are_the_changes_of_locked_text(builtin, context, sent):
    from tracker.documents.engine.deviations import deviations, is_locked, locked_patterns

    patterns = locked_patterns(builtin("coordinating_fr"))
    clauses = compare_documents(sent, accept_all(word_redline(sent).data)).clauses
    found = deviations(clauses, patterns)
    statuses = {d.status for d in found}
    assert {"changed", "removed", "added"} <= statuses  # articles rewritten, deleted, one added
    assert all(d.status == "added" or is_locked(d.old, patterns) for d in found)
    # A budget cell is the site's own figure: changing it is no deviation.
    document = docx.Document(io.BytesIO(sent))
    cell = next(c for t in document.tables for r in t.rows for c in r.cells if c.text == "2 100,00 €")
    cell.paragraphs[0].runs[0].text = "1 900,00 €"
    out = io.BytesIO()
    document.save(out)
    clauses = compare_documents(sent, out.getvalue()).clauses
    assert [c.status for c in clauses if c.status != "same"] == ["changed"]
    assert deviations(clauses, patterns) == []


def test_a_locked_clause_matches_its_text_with_any_field_values_and_nothing_else():
    from tracker.documents.engine.deviations import LockedClause, is_locked

    clause = LockedClause(("Leprésent", "estconcluentre", "et", "."))  # "Le présent {{ x }} est conclu entre {{ a }} et {{ b }}."
    assert clause.matches("Le présent contrat est conclu entre Gustave Roussy et Novacure SA.")
    assert clause.matches("Le  présent  est conclu entre et.")  # fields left empty, spaces folded
    assert not clause.matches("Le présent contrat est conclu avec Gustave Roussy et Novacure SA.")  # text rewritten
    assert not clause.matches("Le présent contrat et Novacure est conclu entre Gustave Roussy.")  # pieces out of order
    assert not clause.matches("Le présent contrat est conclu entre Gustave Roussy et Novacure SA")  # end rewritten
    fields = LockedClause(("Article", *("et",) * 40, "fin"))  # a clause with forty fields
    assert not is_locked("Article " + "x et " * 39 + "fin de phrase", [fields])
    assert is_locked("Article " + "x et " * 40 + "fin", [fields])

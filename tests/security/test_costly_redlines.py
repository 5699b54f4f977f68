"""A redline from outside cannot tie up the service: its comparison is bounded and computed once.

The outside tester's redline was one paragraph of 400,000 words (2 MB): comparing it took
minutes of CPU, a gunicorn worker was killed with a 500, and each view of the comparison paid
again. Here such files are answered at once, the comparison is kept at upload, the pages read
one page of it, and the portal's uploads count against a volume like the API's.
"""
from __future__ import annotations

import random
import time

import docx
import io

from tests.helpers.documents import docx_bytes
from tests.helpers.live_servers import redis_db, servers  # noqa: F401  (Redis db 5, real server processes)
from tests.helpers.web import Browser, upload
from tracker.documents.engine import compare
from tracker.extensions import db
from tracker.models import Document, DocumentChange

SPONSOR = "Novacure Oncology SA"


def _one_paragraph(words: int) -> bytes:
    chooser = random.Random(words)
    document = docx.Document()
    document.add_paragraph(" ".join(f"mot{chooser.randrange(500)}" for _ in range(words)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sent(legal, contract) -> dict:
    answer = legal.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_redline_of_too_many_words_is_refused_at_once(api, contract, make_user, app):
    legal, sponsor = api(make_user("legal", "GR")), api(make_user("sponsor", None, sponsor=SPONSOR))
    _sent(legal, contract)
    answer = upload(sponsor, f"/contracts/{contract}/documents/upload", _one_paragraph(compare.MAX_WORDS + 1),
                    site="GR")
    assert answer.status_code == 422
    assert any("too many to compare" in problem for problem in answer.json()["error"]["problems"])
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Document)
                                  .where(Document.kind == "redline")).scalar() == 0


def test_one_huge_paragraph_is_compared_within_the_request(api, contract, make_user):
    """The tester's file, at the largest size accepted: stored with its comparison, not after minutes."""
    legal, sponsor = api(make_user("legal", "GR")), api(make_user("sponsor", None, sponsor=SPONSOR))
    _sent(legal, contract)
    started = time.monotonic()
    answer = upload(sponsor, f"/contracts/{contract}/documents/upload", _one_paragraph(compare.MAX_WORDS - 100),
                    site="GR")
    assert answer.status_code == 201, answer.text
    assert time.monotonic() - started < 60  # minutes before the bound; seconds now, with a wide margin
    counts = answer.json()["comparison"]
    assert counts["added"] + counts["changed"] >= 1


def test_the_comparison_is_kept_at_upload_and_read_back_by_the_pages(api, browser, contract, make_user, app):
    legal_email = make_user("legal", "GR")
    legal, sponsor = api(legal_email), api(make_user("sponsor", None, sponsor=SPONSOR))
    sent = _sent(legal, contract)
    with app.app_context():
        original = db.session.get(Document, sent["id"]).content
    document = docx.Document(io.BytesIO(original))
    for paragraph in document.paragraphs:
        if paragraph.text.strip():
            paragraph.add_run(" (modifié)")
    for number in range(120):
        document.add_paragraph(f"Clause ajoutée numéro {number}")
    out = io.BytesIO()
    document.save(out)
    answer = upload(sponsor, f"/contracts/{contract}/documents/upload", out.getvalue(), site="GR")
    assert answer.status_code == 201, answer.text
    redline_id = answer.json()["id"]
    with app.app_context():
        changes = db.session.execute(db.select(DocumentChange).where(DocumentChange.document_id == redline_id)
                                     .order_by(DocumentChange.position)).scalars().all()
        counts = answer.json()["comparison"]
        assert len(changes) == counts["changed"] + counts["added"] + counts["removed"] > 100
        assert counts["added"] >= 120 and counts["changed"] > 20
        assert all(c.new_text.endswith("(modifié)") for c in changes if c.status == "changed")
        # Spoil both stored files: a page that compared again would now say the comparison is unavailable.
        for document_id in (redline_id, sent["id"]):
            db.session.get(Document, document_id).content = b"not a docx any more"
        db.session.commit()
    page_url = f"/contracts/{contract}/documents/{redline_id}/compare"
    person = browser(legal_email)
    first = person.get(page_url)
    assert first.status_code == 200
    assert "unavailable" not in first.text and first.text.count('<tr class="diff-') == 100
    pages = -(-len(changes) // 100)
    assert "<ins>" in first.text and f"Page 1 of {pages}" in first.text
    last = person.get(page_url + f"?page={pages}")
    assert last.status_code == 200 and last.text.count('<tr class="diff-') == len(changes) - 100 * (pages - 1)
    assert "Clause ajoutée numéro 119" in last.text


def test_the_portal_counts_uploads_against_a_volume(make_user, make_sponsor, make_contract, builtin_templates,
                                                     servers, redis_db):
    (base,) = servers(1, redis_db, TRACKER_API_UPLOAD_LIMIT="100 KB/hour")
    sponsor_id = make_sponsor(SPONSOR)
    reference = make_contract(sponsor_id)
    person = Browser(base).sign_in(make_user("sponsor", None, sponsor=SPONSOR))
    page = f"/portal/contracts/{reference}"

    def send():
        token = person.token(page)
        return person.session.post(base + f"/portal/contracts/{reference}/redlines",
                                   data={"csrf_token": token, "redline-csrf_token": token, "redline-site": "GR",
                                         "redline-reply": ""},
                                   files={"redline-file": ("redline.docx", docx_bytes("Clause", base=None)
                                                           + b"\0" * 30_000)},
                                   allow_redirects=False, timeout=60)

    first = send()
    assert first.status_code != 429 and first.status_code < 500
    second = send()
    assert second.status_code == 429
    assert "uploaded as much as allowed" in second.text
    assert 3000 < int(second.headers["Retry-After"]) <= 3600
    assert person.get(page).status_code == 200  # reading still works

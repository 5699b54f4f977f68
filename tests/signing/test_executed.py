"""SPEC 5c: the executed agreement is the fixed version as PDF followed by a certificate listing exactly the
evidence recorded; the verification page recognises it and refuses it with one byte changed."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.helpers.documents import needs_soffice
from tests.helpers.signing import PEOPLE, name_all, track_of, verify
from tracker import audit
from tracker.extensions import db
from tracker.models import AuditEntry, Document
from tracker.models.signing import ExecutedAgreement, Signature
from tracker.signing.certificate import when_text
from tracker.signing.pdf import document_pdf

pytestmark = needs_soffice


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def executed(app, agreed, signer):
    """GR's three parties signed online; IB has signed nothing."""
    name_all(app, agreed.reference, sites=("GR",))
    for party in ("sponsor", "institution", "investigator"):
        person, email = PEOPLE["GR"][party]
        assert signer.sign(email, person, "GR")[1].status_code == 200
    with app.app_context():
        agreement = db.session.execute(db.select(ExecutedAgreement)).scalar_one()
        return agreement.id, agreement.document.content


def test_the_certificate_lists_exactly_the_evidence_recorded(app, agreed, executed):
    agreement_id, data = executed
    with app.app_context():
        agreement = db.session.get(ExecutedAgreement, agreement_id)
        track = track_of(agreed.reference, "GR")
        fixed_pdf = document_pdf(agreement.fixed_version.document, now=agreement.created_at)
        signatures = db.session.execute(db.select(Signature).where(Signature.track_id == track.id)).scalars().all()
        reader = PdfReader(io.BytesIO(data))
        fixed_pages = len(PdfReader(io.BytesIO(fixed_pdf)).pages)
        assert len(reader.pages) > fixed_pages  # the agreement, then the certificate
        assert _flat(reader.pages[0].extract_text()) == _flat(PdfReader(io.BytesIO(fixed_pdf)).pages[0].extract_text())
        raw = "\n".join(p.extract_text() for p in reader.pages[fixed_pages:])
        certificate = _flat(raw)
        assert _flat(agreement.fixed_version.sha256) in certificate
        # the certificate names the parties as the agreement does: legal name and form, the site's legal name
        agreement_text = _flat("".join(p.extract_text() for p in reader.pages[:fixed_pages]))
        for party in ("Novacure Oncology SA, société anonyme", "Institut Gustave Roussy"):
            assert _flat(party) in certificate and _flat(party) in agreement_text, party
        assert len(signatures) == 3
        for signature in signatures:
            for value in (signature.typed_name, signature.email, signature.ip_address, signature.user_agent,
                          signature.sha256, when_text(signature.signed_at, track.site.timezone)):
                assert _flat(value) in certificate, value
        # Exactly those: no other address, IP or name than the ones recorded.
        assert set(re.findall(r"[a-z.+-]+@[\w.-]+\.test", raw)) == {s.email for s in signatures}
        assert set(re.findall(r"192\.0\.2\.\d+", raw)) == {s.ip_address for s in signatures}
        # The executed version's own hash is in the audit chain, and the chain still verifies.
        document = db.session.get(Document, agreement.document_id)
        assert document.kind == "executed" and document.sha256 == agreement.sha256
        assert db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "document", AuditEntry.entity_id == str(document.id), AuditEntry.field == "sha256",
            AuditEntry.new_value == agreement.sha256)).first() is not None
        assert audit.verify(db.session) is None


def test_verification_accepts_the_executed_pdf_and_refuses_one_byte_changed(app, client, agreed, executed):
    _id, data = executed
    valid = verify(client, data)
    page = valid.get_data(as_text=True)
    assert valid.status_code == 200 and "Valid: this is the executed agreement of" in page
    assert agreed.reference in page and "Gustave Roussy" in page and "Élise Moreau" in page
    assert "Intact: the tracker's seal covers the whole file" in page
    middle = len(data) // 2
    changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    refused = verify(client, changed)
    assert refused.status_code == 200 and "Not recognised" in refused.get_data(as_text=True)
    assert "Valid:" not in refused.get_data(as_text=True)
    assert "seal that does not check" in refused.get_data(as_text=True)
    import hashlib

    by_hash = verify(client, sha256=hashlib.sha256(data).hexdigest().upper())
    assert "Valid: this is the executed agreement" in by_hash.get_data(as_text=True)


@pytest.mark.parametrize("data, sha256, message", [
    (b"", None, "Choose the PDF"), (b"PK\x03\x04 not a pdf", None, "not a PDF"),
    (None, "1234", "64 hexadecimal"), (None, "z" * 64, "64 hexadecimal"),
])
def test_verification_refuses_what_it_cannot_check(client, data, sha256, message):
    answer = verify(client, data, sha256)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)


def test_verification_refuses_an_oversized_upload(app, client):
    answer = verify(client, b"%PDF-1.7\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    assert answer.status_code == 413


def _seal_status(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from tracker.signing import seal

    from concurrent.futures import ThreadPoolExecutor

    signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    assert len(signatures) == 1
    context = ValidationContext(trust_roots=[seal.signer().signing_cert], allow_fetching=False)
    # pyHanko's own validator, as any PDF reader would check the file; on a thread of its own, since
    # its blocking call starts an event loop (a browser test earlier in this process may run one here).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, signatures[0], context).result()


def test_the_executed_pdf_carries_a_seal_over_the_whole_file_that_one_changed_byte_breaks(app, executed):
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    _id, data = executed
    with app.app_context():
        status = _seal_status(data)
        assert status.intact and status.valid and status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert "development seal" in status.signing_cert.subject.human_friendly
        first_range_end = int(re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", data).group(1))
        at = first_range_end // 2  # inside the agreement's own bytes, covered by the seal
        changed = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
        assert not _seal_status(changed).intact


def test_each_signature_shows_in_the_agreement_before_the_certificate(app, agreed, executed):
    agreement_id, data = executed
    with app.app_context():
        track = track_of(agreed.reference, "GR")
        signatures = db.session.execute(db.select(Signature).where(Signature.track_id == track.id)).scalars().all()
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
        first_certificate = next(i for i, text in enumerate(pages) if "Signature certificate" in text
                                 or "Certificat de signature" in text)
        before = _flat("\n".join(pages[:first_certificate]))
        fixed_pdf = document_pdf(db.session.get(ExecutedAgreement, agreement_id).fixed_version.document,
                                 now=signatures[0].signed_at)
        unsigned = _flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(fixed_pdf)).pages))
        from tracker.signing.blocks import local_time

        for signature in signatures:
            signed_line = _flat(local_time(signature.signed_at, track.site.timezone))
            assert signed_line in before and signed_line not in unsigned
            assert _flat(signature.typed_name) in before
        # The evidence binds the PDF the signers read as well as the .docx.
        assert {s.pdf_sha256 for s in signatures} == {__import__("hashlib").sha256(fixed_pdf).hexdigest()}
        assert all(s.consent_text and "sign it electronically" in s.consent_text for s in signatures)

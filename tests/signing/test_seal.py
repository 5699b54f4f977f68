"""The seal's certificate: TRACKER_SEAL_P12 with its password when set, else a development one kept in the
instance folder, readable by its owner only; a seal by another certificate is intact but not the tracker's."""
from __future__ import annotations

import io
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest
from reportlab.pdfgen import canvas

from tracker.signing import seal


def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Convention — page 1")
    page.showPage()
    page.save()
    return out.getvalue()


def _p12(path, password: bytes, name: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key, cert, None,
                                                           serialization.BestAvailableEncryption(password)))


@pytest.fixture
def configured(app, tmp_path):
    saved = {k: app.config.get(k) for k in ("SEAL_P12", "SEAL_PASSWORD", "SEAL_DEV_P12")}
    yield app
    app.config.update(saved)


def test_the_development_certificate_is_made_once_and_kept_private(configured, tmp_path):
    configured.config.update(SEAL_P12=None, SEAL_DEV_P12=str(tmp_path / "dev" / "seal.p12"))
    with configured.app_context():
        sealed = seal.seal(_pdf(), reason="test")
        first = (tmp_path / "dev" / "seal.p12").read_bytes()
        assert stat.S_IMODE(os.stat(tmp_path / "dev" / "seal.p12").st_mode) == 0o600
        seal.seal(_pdf(), reason="again")
        assert (tmp_path / "dev" / "seal.p12").read_bytes() == first  # kept, not remade
        verdict = seal.check(sealed)
        assert verdict.valid and "development seal" in verdict.signer
        assert not seal.check(_pdf()).present


def test_a_configured_certificate_seals_and_another_ones_seal_is_not_ours(configured, tmp_path):
    ours, theirs = tmp_path / "ours.p12", tmp_path / "theirs.p12"
    _p12(ours, b"s3cret", "Gustave Roussy seal")
    _p12(theirs, b"other", "Someone else")
    with configured.app_context():
        configured.config.update(SEAL_P12=str(theirs), SEAL_PASSWORD="other")
        foreign = seal.seal(_pdf(), reason="test")
        configured.config.update(SEAL_P12=str(ours), SEAL_PASSWORD="s3cret")
        sealed = seal.seal(_pdf(), reason="test")
        verdict = seal.check(sealed)
        assert verdict.valid and "Gustave Roussy seal" in verdict.signer
        other = seal.check(foreign)
        assert other.present and other.intact and not other.ours and not other.valid
        configured.config.update(SEAL_PASSWORD="wrong")
        with pytest.raises(seal.SealUnavailable):
            seal.seal(_pdf(), reason="test")


def test_sealing_and_checking_work_where_an_event_loop_already_runs(configured, tmp_path):
    """pyHanko's blocking calls start an event loop of their own; a thread that already runs one (an async
    server, a browser-driving test earlier in the same process) must still seal and check."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    configured.config.update(SEAL_P12=None, SEAL_DEV_P12=str(tmp_path / "dev" / "seal.p12"))

    async def inside_a_loop(data=None):
        with configured.app_context():
            if data is not None:
                return seal.check(data)
            sealed = seal.seal(_pdf(), reason="test")
            return sealed, seal.check(sealed)

    def in_a_thread_running_a_loop(*args):  # a thread of its own, whatever this one runs
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(lambda: asyncio.run(inside_a_loop(*args))).result()

    sealed, verdict = in_a_thread_running_a_loop()
    assert verdict.valid and verdict.whole_file and verdict.ours
    changed = bytearray(sealed)
    changed[len(changed) // 3] ^= 0x01
    assert not in_a_thread_running_a_loop(bytes(changed)).valid

"""The tracker's seal on executed agreements: a PAdES signature over the whole PDF (SPEC 5c).

The signing certificate comes from ``TRACKER_SEAL_P12`` (a PKCS#12 file) and ``TRACKER_SEAL_PASSWORD``.
Without them a self-signed development certificate is made once and kept in the instance folder,
readable by its owner only, as the audit key is: it proves integrity to anyone who trusts it, and
nothing more. When ``TRACKER_TSA_URL`` is set, an RFC 3161 timestamp from that authority is embedded
too. Any PDF reader then shows whether the file is intact without the tracker; the verification page
checks the same seal with pyHanko and says whether the certificate is the tracker's own.
"""
from __future__ import annotations

import asyncio
import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker.errors import DomainError

log = logging.getLogger(__name__)
FIELD = "TrackerSeal"
DEV_SUBJECT = "Fast-track contract tracker (development seal)"


class SealUnavailable(DomainError):
    """The seal's certificate cannot be loaded, or the timestamp authority did not answer."""


@dataclass
class SealCheck:
    """What the seal of a PDF says: present, intact, covering the whole file, made by the tracker's certificate."""

    present: bool
    intact: bool = False
    whole_file: bool = False
    ours: bool = False
    signer: str = ""
    signed_at: datetime | None = None
    timestamped: bool = False

    @property
    def valid(self) -> bool:
        return self.present and self.intact and self.whole_file and self.ours


def _make_development_p12(path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DEV_SUBJECT),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fast-track contract tracker")])
    start = datetime.now(timezone.utc) - timedelta(days=1)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + timedelta(days=3650))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=False, crl_sign=False, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                   .sign(key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(b"tracker-seal", key, certificate, None,
                                                 serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    except FileExistsError:  # another process made it a moment ago
        return
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _p12() -> tuple[str, bytes | None]:
    config = current_app.config
    if config.get("SEAL_P12"):
        password = config.get("SEAL_PASSWORD")
        return config["SEAL_P12"], password.encode() if password else None
    path = Path(config["SEAL_DEV_P12"])
    if not path.exists():
        log.warning("TRACKER_SEAL_P12 is not set: executed agreements are sealed with a self-signed development "
                    "certificate kept in %s", path)
        _make_development_p12(path)
    return str(path), None


def signer():
    """The pyHanko signer of the tracker's certificate (SealUnavailable when it cannot be loaded)."""
    from pyhanko.sign import signers

    path, password = _p12()
    try:
        loaded = signers.SimpleSigner.load_pkcs12(path, passphrase=password)
    except (OSError, ValueError) as exc:
        loaded = None
        log.error("the seal certificate %s cannot be loaded: %s", path, exc)
    if loaded is None:
        raise SealUnavailable(str(_l("The seal certificate (TRACKER_SEAL_P12) cannot be loaded.")))
    return loaded


def seal(data: bytes, *, reason: str, location: str = "") -> bytes:
    """The PDF with the tracker's seal over the whole file, timestamped when a TSA is configured."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    tsa = current_app.config.get("TSA_URL")
    meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256", reason=reason,
                                        location=location or None,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    timestamper = timestamps.HTTPTimeStamper(tsa, timeout=20) if tsa else None
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    pdf_signer = signers.PdfSigner(meta, signer=signer(), timestamper=timestamper)
    try:
        out = _run(lambda: pdf_signer.async_sign_pdf(writer))
    except timestamps.TimestampRequestError as exc:
        log.error("timestamp authority %s did not answer: %s", tsa, exc)
        raise SealUnavailable(str(_l("The timestamp authority (TRACKER_TSA_URL) did not answer."))) from None
    return out.getvalue()


def _run(make_coroutine):
    """Run one of pyHanko's coroutines to its end from plain code.

    Its blocking calls start an event loop of their own, which fails where one already runs in
    this thread (an async server, a test driving a browser): there the coroutine runs on a
    short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _our_certificate():
    return signer().signing_cert


def check(data: bytes) -> SealCheck:
    """Validate the last signature of a PDF: intact, over the whole file, by the tracker's certificate."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        log.info("unreadable PDF given to the seal check: %s", exc)
        return SealCheck(False)
    if not embedded:
        return SealCheck(False)
    ours = _our_certificate()
    try:
        context = ValidationContext(trust_roots=[ours], allow_fetching=False)
        status = _run(lambda: async_validate_pdf_signature(embedded[-1], context))
    except Exception as exc:  # noqa: BLE001  (a hostile file must not break the page: it is simply not valid)
        log.info("seal validation failed: %s", exc)
        return SealCheck(True)
    cert = status.signing_cert
    return SealCheck(True, intact=bool(status.intact and status.valid),
                     whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                     ours=cert is not None and cert.dump() == ours.dump() and bool(status.trusted),
                     signer=cert.subject.human_friendly if cert is not None else "",
                     signed_at=status.signer_reported_dt, timestamped=status.timestamp_validity is not None)

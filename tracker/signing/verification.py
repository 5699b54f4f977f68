"""Is this PDF an executed agreement of this tracker? Answered from its SHA-256 (SPEC 5c).

Anyone may ask, with the file or with its SHA-256: the answer names the contract, the site and
who signed when, which whoever holds the file can read in it anyway. A file changed by a single
byte has another SHA-256 and is not recognised.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from tracker.errors import DocumentProblems, InvalidInput
from tracker.extensions import db
from tracker.models.signing import ExecutedAgreement
from tracker.signing import evidence
from tracker.signing.pdf import MAX_UPLOAD
from tracker.signing.seal import SealCheck, check

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Verdict:
    sha256: str
    agreement: ExecutedAgreement | None = None
    signatures: list = field(default_factory=list)
    seal: SealCheck | None = None  # the file's own seal, when a file was given

    @property
    def valid(self) -> bool:
        return self.agreement is not None


def digest_of(data: bytes | None, typed) -> str:
    """The SHA-256 to look up: of the file when one is given, else the one typed (checked)."""
    if data is not None:
        if not data:
            raise DocumentProblems([str(_l("The file is empty."))])
        if len(data) > MAX_UPLOAD:
            raise DocumentProblems([str(_l("The file is larger than %(n)d MB.", n=MAX_UPLOAD // (1024 * 1024)))])
        if data.lstrip()[:5] != b"%PDF-":
            raise DocumentProblems([str(_l("The file is not a PDF."))])
        return hashlib.sha256(data).hexdigest()
    text = "".join(typed.split()).lower() if isinstance(typed, str) else ""
    if not text:
        raise InvalidInput({"sha256": str(_l("Choose the PDF, or paste its SHA-256."))})
    if not SHA256_RE.match(text):
        raise InvalidInput({"sha256": str(_l("A SHA-256 is 64 hexadecimal characters (0-9, a-f)."))})
    return text


def verify(data: bytes | None, typed=None) -> Verdict:
    """The executed agreement with this SHA-256, if any, and the verdict of the file's own seal."""
    sha256 = digest_of(data, typed)
    sealed = check(data) if data is not None else None
    agreement = db.session.execute(db.select(ExecutedAgreement).where(
        ExecutedAgreement.sha256 == sha256)).scalar_one_or_none()
    # An executed agreement is never withdrawn (SPEC 5d); an old row marked so still names a genuine file.
    if agreement is None:
        return Verdict(sha256, seal=sealed)
    signed = evidence.standing(agreement.track)
    return Verdict(sha256, agreement, sorted(signed.values(), key=lambda s: s.signed_at), seal=sealed)

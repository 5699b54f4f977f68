"""Which version of a site's agreement is current, which one is fixed, and which may leave the lists (SPEC 5d).

The agreements of a contract are written in its ``language`` (French unless it says otherwise). A
version in another language is a courtesy copy: it can be sent, read and even fixed when someone
names it, but nothing ever picks it by default. A site's *current* version is its latest
``generated`` or ``revised`` one in the contract's language; ``send_to_sponsor`` records it, and
``agree`` / ``conformity_ok`` fix it (``fixable_version`` is the one rule, shared with signing).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker.documents.context import template_language  # noqa: F401  (read from here too)
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.models import Document, Track
from tracker.models.signing import ExecutedAgreement, FixedVersion

TEXT_KINDS = ("generated", "revised")  # the kinds that carry the site's own terms
LANGUAGE_NAMES = {"fr": _l("French"), "en": _l("English")}


def language_name(code: str | None) -> str:
    return str(LANGUAGE_NAMES.get(code or "", code or "?"))


def _versions(track: Track):
    return db.select(Document).where(Document.contract_id == track.contract_id, Document.site_id == track.site_id,
                                     Document.kind.in_(TEXT_KINDS), Document.withdrawn_at.is_(None))


def current_version(track: Track, *, signable: bool = False) -> Document | None:
    """The site's latest generated or revised version in the contract's language (a draft only when not
    ``signable``)."""
    query = _versions(track).where(Document.language == track.contract.language)
    if signable:
        query = query.where(Document.draft.is_(False))
    return db.session.execute(query.order_by(Document.version.desc()).limit(1)).scalar_one_or_none()


def in_use(contract_id: int) -> list[Document]:
    """The contract's versions not withdrawn, by site then newest first, with their templates and authors:
    a fixed number of queries for a whole page, however many versions there are."""
    return db.session.execute(db.select(Document).where(Document.contract_id == contract_id,
                                                        Document.withdrawn_at.is_(None))
                              .order_by(Document.site_id, Document.version.desc())
                              .options(selectinload(Document.template), selectinload(Document.author))
                              ).scalars().all()


def current_of(documents: list[Document], track: Track, *, signable: bool = False) -> Document | None:
    """``current_version`` of the track, picked from its contract's versions in use (``in_use``) without a
    query."""
    language = track.contract.language
    mine = [d for d in documents if d.contract_id == track.contract_id and d.site_id == track.site_id
            and d.kind in TEXT_KINDS and d.withdrawn_at is None and d.language == language
            and not (signable and d.draft)]
    return max(mine, key=lambda d: d.version, default=None)


def fixed_or_executed_ids(documents: list[Document]) -> set[int]:
    """Which of these versions ``is_fixed_or_executed``, in at most one query."""
    found = {d.id for d in documents if d.kind == "executed"}
    others = [d.id for d in documents if d.kind != "executed"]
    if others:
        found |= set(db.session.execute(
            db.select(ExecutedAgreement.document_id).where(ExecutedAgreement.document_id.in_(others))
            .union(db.select(FixedVersion.document_id).where(FixedVersion.document_id.in_(others),
                                                             FixedVersion.ended_at.is_(None)))).scalars())
    return found


def version_to_send(track: Track) -> Document | None:
    """What ``send_to_sponsor`` records when no version is named: the current one; when the site has none
    in the contract's language, its latest of any (the sponsor is receiving something: say which)."""
    return current_version(track) or db.session.execute(
        _versions(track).order_by(Document.version.desc()).limit(1)).scalar_one_or_none()


def check_fixable(document: Document) -> None:
    """Refuse to fix a draft, a redline or a withdrawn version as the version the parties sign (SPEC 5c)."""
    if document.draft:
        raise Conflict(str(_l("Version %(n)d is a draft with empty fields; it can never be the version signed. "
                              "Fill the fields and generate the agreement again.", n=document.version)))
    if document.kind not in TEXT_KINDS or document.withdrawn_at is not None:
        raise Conflict(str(_l("Only a generated or revised version still in use can be fixed for signature; "
                              "adopt a redline first to sign its text.")))


def fixable_version(track: Track, document_id: int | None = None) -> Document | None:
    """The version ``agree`` or ``conformity_ok`` fixes on this track (SPEC 5d).

    The one named (of this site and contract, not a draft, not a redline), else the site's current
    version in the contract's language. A site that has versions, but none in that language, is
    refused (409): a courtesy translation is never fixed by default. None when the site has no
    version at all yet: its staff fix one later, once it exists.
    """
    if document_id is not None:
        document = db.session.get(Document, document_id)
        if document is None or document.contract_id != track.contract_id or document.site_id != track.site_id:
            raise Conflict(str(_l("Version %(id)s is not an agreement of %(site)s on this contract.",
                                  id=document_id, site=track.site.name)))
        check_fixable(document)
        return document
    document = current_version(track, signable=True)
    if document is not None:
        return document
    others = db.session.execute(_versions(track).where(Document.draft.is_(False)).order_by(
        Document.version.desc())).scalars().all()
    if others:
        language = track.contract.language
        raise Conflict(str(_l(
            "%(site)s has no agreement in %(language)s, the language of this contract (version %(n)d is in "
            "%(other)s, a courtesy copy). Generate or upload the %(language)s version, or name the version to "
            "fix.", site=track.site.name, language=language_name(language), n=others[0].version,
            other=language_name(others[0].language))))
    return None


def is_fixed_or_executed(document: Document) -> bool:
    """A version fixed for signature that stands, or an executed agreement: its terms are the signed ones."""
    if document.kind == "executed":
        return True
    if db.session.execute(db.select(ExecutedAgreement.id).where(ExecutedAgreement.document_id == document.id)
                          .limit(1)).scalar() is not None:
        return True
    return db.session.execute(db.select(FixedVersion.id).where(
        FixedVersion.document_id == document.id, FixedVersion.ended_at.is_(None)).limit(1)).scalar() is not None


def refuse_if_fixed(document: Document) -> None:
    """A fixed or executed version cannot be withdrawn (SPEC 5d): the terms change by a new round."""
    if is_fixed_or_executed(document):
        raise Conflict(str(_l("Version %(n)d is fixed for signature; reopen to change the terms.",
                              n=document.version)))

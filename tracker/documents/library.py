"""The template library: stored versions of the standard agreements, prepared once per process (SPEC 5)."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.documents.catalogue import ALL_FIELDS, sample_context
from tracker.documents.engine.checks import DocumentRejected, check_template
from tracker.documents.engine.render import PreparedTemplate, prepare
from tracker.documents.engine.trial import trial_render
from tracker.documents.wording import words
from tracker.errors import Conflict, DocumentProblems, InvalidInput
from tracker.extensions import db
from tracker.models import ContractTemplate, TemplateDefault
from tracker.models.contracts import TRACK_ROLES
from tracker.recent import Recent

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "contract_templates"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_PREPARED_MAX = 32
_PREPARED = Recent(_PREPARED_MAX)  # prepared templates by SHA-256, the most recently used


# Readable names of the shipped agreements; an uploaded template is shown by its own name.
TEMPLATE_TITLES = {
    "coordinating_fr": _l("Coordinating site agreement (French)"),
    "coordinating_en": _l("Coordinating site agreement (English)"),
    "associated_fr": _l("Associated site agreement (French)"),
    "associated_en": _l("Associated site agreement (English)"),
    "amendment_fr": _l("Amendment (French)"),
    "amendment_en": _l("Amendment (English)"),
}
LANGUAGES = ("fr", "en")


def template_title(name: str) -> str:
    return str(TEMPLATE_TITLES.get(name, name))


def template_role(name: str) -> str | None:
    """The site role a template is written for, read from its name (coordinating_fr...), if any."""
    prefix = name.split("_", 1)[0]
    return prefix if prefix in TRACK_ROLES else None


def default_template(role: str, language: str, amendment: bool = False,
                     names: list[str] | None = None) -> str | None:
    """The template an admin chose for this site role and language; else the one named for them
    (coordinating_fr...), else any written for the role, else None. Retired names are skipped.
    An amendment's is the shipped amendment in its language (amendment_fr...) while it is offered.
    ``names`` are the ``template_names()`` when the caller has already read them."""
    names = template_names() if names is None else names
    if amendment and f"amendment_{language}" in names:
        return f"amendment_{language}"
    chosen = db.session.execute(db.select(TemplateDefault.name).where(
        TemplateDefault.role == role, TemplateDefault.language == language)).scalar()
    for wanted in (chosen, f"{role}_{language}", *[n for n in names if template_role(n) == role]):
        if wanted in names:
            return wanted
    return None


def set_default_template(role: str, language: str, name: str | None, *, actor: audit.Actor,
                         now: datetime) -> None:
    """Choose the template offered first to a site of this role for agreements in this language."""
    if role not in TRACK_ROLES or language not in LANGUAGES:
        raise InvalidInput({"role": str(_l("Unknown site role or language."))})
    row = db.session.execute(db.select(TemplateDefault).where(
        TemplateDefault.role == role, TemplateDefault.language == language)).scalar_one_or_none()
    old = row.name if row else None
    if name and name not in template_names():
        raise InvalidInput({f"{role}_{language}": str(_l("No template %(name)s is offered.", name=name[:64]))})
    if (name or None) == old or (row is None and name == default_template(role, language)):
        return  # the same template as now: nothing to record
    if not name:
        db.session.delete(row)
    elif row is None:
        db.session.add(TemplateDefault(role=role, language=language, name=name))
    else:
        row.name = name
    db.session.flush()
    audit.record(actor, "template_default", f"{role}_{language}", {"name": (old, name or None)}, now=now)


def set_retired(template: ContractTemplate, retired: bool, *, actor: audit.Actor, now: datetime) -> None:
    """Retire a version (no longer offered; kept, with the documents made from it) or bring it back."""
    if (template.retired_at is not None) == retired:
        return
    old = template.retired_at
    template.retired_at = now if retired else None
    db.session.flush()
    audit.record(actor, "template", template.id, {"retired_at": (old, template.retired_at)}, now=now)


def set_regulated(template: ContractTemplate, regulated: bool, *, actor: audit.Actor, now: datetime) -> int:
    """Mark a template as a regulated model, or not (SPEC 5): every version of its name, so that the agreements
    already made from it are read the same way; its text outside the fields is locked. Returns how many
    versions changed."""
    rows = db.session.execute(db.select(ContractTemplate).where(ContractTemplate.name == template.name,
                                                                ContractTemplate.regulated != regulated)
                              ).scalars().all()
    for row in rows:
        row.regulated = regulated
        db.session.flush()
        audit.record(actor, "template", row.id, {"regulated": (not regulated, regulated)}, now=now)
    return len(rows)


def prepared(template: ContractTemplate) -> PreparedTemplate:
    """Prepare a template once per process and version; rendering reuses it."""
    cached = _PREPARED.get(template.sha256)
    if cached is None:
        cached = prepare(template.content)
        _PREPARED.put(template.sha256, cached)
    return cached


def latest_template(name: str, *, offered_only: bool = True) -> ContractTemplate | None:
    """The newest version of a name; retired versions are passed over unless asked for."""
    stmt = db.select(ContractTemplate).where(ContractTemplate.name == name)
    if offered_only:
        stmt = stmt.where(ContractTemplate.retired_at.is_(None))
    return db.session.execute(stmt.order_by(ContractTemplate.version.desc()).limit(1)).scalar_one_or_none()


def template_names() -> list[str]:
    """Names with at least one version still offered."""
    return list(db.session.execute(
        db.select(ContractTemplate.name).where(ContractTemplate.retired_at.is_(None))
        .distinct().order_by(ContractTemplate.name)).scalars())


def store_template(name: str, data: bytes, filename: str | None, *, actor: audit.Actor,
                   now: datetime, trial: bool = True, regulated: bool | None = None) -> ContractTemplate:
    """Check an uploaded template and keep it as the next version of its name.

    `trial`: also fill it once with sample values in a bounded child process (trial.py); only
    the shipped agreements, which the test suite fills, are stored without.
    """
    name = (name or "").strip().lower()
    if not NAME_RE.match(name):
        raise InvalidInput({"name": str(_l("Use 2 to 64 lower-case letters, digits, '-' or '_', "
                                            "such as coordinating_fr."))})
    try:
        prepared = check_template(data, ALL_FIELDS)
        problems = trial_render(data, sample_context()) if trial else []
    except DocumentRejected as exc:
        raise DocumentProblems(words(exc.problems))
    if problems:
        raise DocumentProblems(words(problems))
    previous = latest_template(name, offered_only=False)
    if previous is not None and previous.sha256 == hashlib.sha256(data).hexdigest():
        raise Conflict(str(_l("This file is identical to version %(n)d of %(name)s: nothing was stored.",
                              n=previous.version, name=name)))
    template = ContractTemplate(
        name=name, version=(previous.version if previous else 0) + 1, filename=safe_filename(filename or name),
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), fields=sorted(prepared.fields),
        content=data, created_at=now, created_by_id=actor.user_id,
        # A regulated model stays one; the shipped national-model agreements are born one.
        regulated=regulated if regulated is not None else (previous.regulated if previous is not None else False))
    db.session.add(template)
    flush_or_conflict()
    _PREPARED.put(template.sha256, prepared)
    audit.record(actor, "template", template.id, {"name": (None, name), "version": (None, template.version),
                                                  "sha256": (None, template.sha256)}, now=now)
    return template


def ensure_builtin_templates(*, now: datetime) -> int:
    """Store the shipped agreements, marked as regulated models (they follow the national model).

    A name that is missing gets version 1. When the shipped file has changed since the version
    the tracker itself stored last, it becomes the next version; once an admin has uploaded a
    version of their own, that name is theirs and the shipped file is left aside.
    """
    added = 0
    for path in sorted(BUILTIN_DIR.glob("*.docx")):
        data = path.read_bytes()
        latest = latest_template(path.stem, offered_only=False)
        if latest is not None and (latest.created_by_id is not None or latest.retired_at is not None
                                   or latest.sha256 == hashlib.sha256(data).hexdigest()):
            continue  # an admin's own version, a name an admin retired, or the same text
        # The national model's agreements are regulated; an amendment's changes are written by the parties.
        store_template(path.stem, data, path.name, actor=audit.SYSTEM, now=now, trial=False,
                       regulated=not path.stem.startswith("amendment_"))
        added += 1
    return added


def safe_filename(name: str) -> str:
    """Letters, digits, dot, dash and underscore only, so a download name cannot do harm."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "document"
    if not stem.lower().endswith(".docx"):
        stem += ".docx"
    return stem[-120:]


def flush_or_conflict() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(str(_l("Someone stored another version at the same moment; try again.")))



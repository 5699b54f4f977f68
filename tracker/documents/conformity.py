"""Where an associated site's agreement differs from the coordinator's fixed version (SPEC 5d).

An associated site's agreement carries the coordinator's agreed clauses with its own site figures:
``conformity_ok`` should be a check, not a guess. This compares the associated site's current
version with the coordinating site's version fixed for signature, clause by clause, and leaves out
the differences that are only the two sites' own fields: a clause pair counts as the same when,
with each site's identity (names, legal name, address, FINESS, SIRET, representative, investigator
and their titles, RPPS, third party) and its own figures (patients, budget amounts and total, as
either language writes them) masked in both texts, they read alike. What remains is listed on the
associated track's panel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.documents.engine.checks import DocumentRejected
from tracker.documents.engine.compare import SAME, Clause, clauses_of, compare_clauses
from tracker.documents.context import amount_text, budget_rows
from tracker.documents.versions import current_version
from tracker.extensions import db
from tracker.recent import MISSING, Recent
from tracker.models import Document, Track
from tracker.models.signing import FixedVersion

SHOWN = 50  # differences listed on the page; the count says how many there are
_MASK = "\u2026"
# Versions never change once kept, so the comparison of two of them is kept too (per process, the most
# recently used pairs): the contract page asks for it on every view.
KEPT_PAIRS = 64
_kept = Recent(KEPT_PAIRS)


@dataclass(frozen=True)
class ConformityCheck:
    fixed: Document  # the coordinator's fixed version
    mine: Document  # the associated site's current version
    differences: list[Clause]


def _own_values(track: Track) -> list[str]:
    site, contract = track.site, track.contract
    values = [site.name, site.legal_name, site.address, site.finess, site.siret, site.representative,
              site.representative_title, site.code, track.investigator_name, track.investigator_title,
              track.investigator_department, track.investigator_rpps, track.third_party]
    values.append(track.patients if track.patients is not None else contract.patients)
    rows = track.budget if track.budget is not None else contract.budget
    for language in ("fr", "en"):
        filled, total = budget_rows(rows, language)
        values += [row["amount_text"] for row in filled] + [amount_text(total, language)]
    return [" ".join(str(v).split()) for v in values if v is not None and str(v).strip()]


def _masker(values: list[str]):
    if not values:
        return lambda text: text
    # Whole words only, so that a site's "6 patients" does not mask every 6 in the text.
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(set(values), key=len, reverse=True))
                         + r")(?!\w)")
    return lambda text: pattern.sub(_MASK, " ".join((text or "").split()))


def check(track: Track) -> ConformityCheck | None:
    """The differences of an associated track's current version from the coordinator's fixed one, outside the
    two sites' own fields; None when either is missing (or cannot be read)."""
    coordinating = track.contract.coordinating_track
    if track.role != "associated" or coordinating is None:
        return None
    fixed = db.session.execute(db.select(FixedVersion).where(
        FixedVersion.track_id == coordinating.id, FixedVersion.ended_at.is_(None))
        .order_by(FixedVersion.id.desc()).limit(1)).scalar_one_or_none()
    return check_of(track, fixed, current_version(track))


def check_of(track: Track, fixed: FixedVersion | None, mine: Document | None) -> ConformityCheck | None:
    """``check`` with the coordinator's standing fixed version and the track's current version already read
    (the contract page reads them once for every site)."""
    coordinating = track.contract.coordinating_track
    if track.role != "associated" or coordinating is None or fixed is None or mine is None:
        return None
    changed = _changed_clauses(fixed.document, mine)
    if changed is None:
        return None
    mask = _masker(_own_values(coordinating) + _own_values(track))
    differences = [c for c in changed if mask(c.old) != mask(c.new)]
    return ConformityCheck(fixed.document, mine, differences)


def _changed_clauses(fixed: Document, mine: Document) -> list[Clause] | None:
    """The clauses that differ between two kept versions (None if either cannot be read), compared once."""
    key = (fixed.id, fixed.sha256, mine.id, mine.sha256)
    found = _kept.get(key, MISSING)
    if found is not MISSING:
        return found
    try:
        result = compare_clauses(clauses_of(fixed.content), clauses_of(mine.content))
        changed = [c for c in result.clauses if c.status != SAME]
    except DocumentRejected:
        changed = None
    _kept.put(key, changed)
    return changed

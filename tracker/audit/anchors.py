"""The anchor log: copies of the audit chain's head, kept outside the database.

Someone with write access to the database can delete the last rows of the trail, or all of
them, and no hash inside the database can tell.  So every few minutes the scheduler appends
the head - its sequence number (the entry id), its hash and the time - to a file outside the
database (TRACKER_AUDIT_ANCHOR_DIR), one line per anchor, each line signed with the audit key.
The file is only ever appended to, under a lock, and flushed to disk before the command says
it is done; `audit verify` then finds every anchored entry in the trail with the same hash.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = "anchors.log"


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str  # ISO-8601, UTC
    line: int = 0


class AnchorLogError(Exception):
    """The anchor log is altered, or anchoring now would go backwards; the message says how."""


def _mac(key: str, seq: int, digest: str, at: str) -> str:
    return hmac.new(key.encode(), f"anchor\n{seq}\n{digest}\n{at}".encode(), hashlib.sha256).hexdigest()


def log_path(directory: str | Path) -> Path:
    return Path(directory) / FILE_NAME


def read_anchors(directory: str | Path, key: str) -> list[Anchor]:
    """Every anchor in the log, checked: signed with the key, and never going backwards."""
    path = log_path(directory)
    if not path.exists():
        return []
    anchors: list[Anchor] = []
    with path.open("r", encoding="utf-8", errors="replace") as log:
        for number, text in enumerate(log, start=1):
            if not text.strip():
                continue
            anchor = _parse(text, number, key, path)
            if anchors and anchor.seq < anchors[-1].seq:
                raise AnchorLogError(f"Anchor log altered: line {number} of {path} records entry {anchor.seq}, "
                                     f"before the entry {anchors[-1].seq} of the line above it.")
            anchors.append(anchor)
    return anchors


def _parse(text: str, number: int, key: str, path: Path) -> Anchor:
    try:
        data = json.loads(text)
        anchor = Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]), number)
        signed = hmac.compare_digest(str(data["mac"]), _mac(key, anchor.seq, anchor.hash, anchor.at))
    except (ValueError, KeyError, TypeError):
        raise AnchorLogError(f"Anchor log altered: line {number} of {path} cannot be read.") from None
    if not signed:
        raise AnchorLogError(f"Anchor log altered: line {number} of {path} is not signed with the audit key "
                             "(TRACKER_AUDIT_KEY).")
    return anchor


def append_anchor(directory: str | Path, key: str, seq: int, digest: str, now: datetime) -> Anchor | None:
    """Append the head (seq, digest) at `now`; None when the last anchor already records it.

    Refuses (AnchorLogError) a head behind the last anchor or differing from it: entries were
    deleted or rewritten, and anchoring the damage would hide it.
    """
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = log_path(directory)
    created = not path.exists()
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # two schedulers anchoring at once take turns
        last = _last_anchor(directory, key)
        if last is not None:
            if seq < last.seq or (seq == last.seq and digest != last.hash):
                raise AnchorLogError(
                    f"The audit trail's head (entry {seq}) does not continue the last anchor (entry {last.seq} "
                    f"of {last.at}): entries were deleted or rewritten. Run 'audit verify'.")
            if seq == last.seq:
                return None
        at = now.astimezone(timezone.utc).isoformat(timespec="seconds")
        line = json.dumps({"seq": seq, "hash": digest, "at": at, "mac": _mac(key, seq, digest, at)}) + "\n"
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # closing releases the lock
    if created:
        _sync_directory(directory)
    return Anchor(seq, digest, at)


def _last_anchor(directory: Path, key: str) -> Anchor | None:
    anchors = read_anchors(directory, key)
    return anchors[-1] if anchors else None


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

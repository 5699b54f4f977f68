"""``Idempotency-Key`` on the API: a program that retries after a lost reply gets the first answer.

A POST, PATCH, PUT or DELETE that carries the header claims the key for its user before the
view runs (a unique row, so two requests racing with one key cannot both run), and the
successful answer is kept with it.  The same key with the same request then answers the same
again, marked ``Idempotent-Replayed: true``; the same key with another request is refused
(422); a key whose first request is still running answers 409.  A refused request (4xx or
5xx) frees its key, so the caller can correct it and try again.  Keys are kept 24 hours.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

from flask import Response, g, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker.api import bp, now
from tracker.api.errors import error_response
from tracker.extensions import db
from tracker.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, as the IETF draft's examples
KEPT = timedelta(hours=24)
ABANDONED = timedelta(minutes=5)  # a claim this old without an answer died with its process
CHANGES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def fingerprint() -> str:
    """The request as the key was given for: method, path, and the body's meaning.

    A multipart body is reduced to its fields and the SHA-256 of each file, because a client
    that retries draws a new boundary and so sends different bytes for the same request.
    """
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.mimetype == "multipart/form-data":
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(json.dumps(["field", name, value]).encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(json.dumps(["file", name, hashlib.sha256(content).hexdigest()]).encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _existing(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.execute(db.select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).scalar_one_or_none()


@bp.before_request
def claim():
    use = g.get("api_token")
    key = request.headers.get(HEADER)
    if key is None or use is None or request.method not in CHANGES:
        return None
    if not KEY.fullmatch(key):
        return error_response(400, "bad_request", _("The Idempotency-Key header must be 1 to 200 printable "
                                                     "ASCII characters."))
    at, wanted = now(), fingerprint()
    row = _existing(use.user_id, key)
    if row is not None and (row.created_at < at - KEPT or (row.status is None and row.created_at < at - ABANDONED)):
        db.session.delete(row)  # expired, or abandoned by a process that died
        db.session.flush()
        row = None
    if row is not None:
        db.session.rollback()
        return _answer_again(row, wanted)
    db.session.add(IdempotencyKey(user_id=use.user_id, key=key, fingerprint=wanted, created_at=at))
    try:
        db.session.commit()
    except IntegrityError:  # another request took the key between our look and our claim
        db.session.rollback()
        return _busy()
    g.idempotency = (use.user_id, key)
    return None


def _answer_again(row: IdempotencyKey, wanted: str):
    if row.fingerprint != wanted:
        return error_response(422, "idempotency_key_reused", _("This Idempotency-Key was already used for a "
                                                                "different request; use a new key."))
    if row.status is None:
        return _busy()
    response = Response(row.response, status=row.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _busy():
    response = error_response(409, "request_in_progress", _("A request with this Idempotency-Key is still being "
                                                             "processed; try again in a moment."))
    response.headers["Retry-After"] = "1"
    return response


@bp.after_request
def remember(response):
    claimed = g.pop("idempotency", None)
    if claimed is None:
        return response
    db.session.rollback()  # whatever the view left behind is already committed or refused
    row = _existing(*claimed)
    if row is not None:
        if 200 <= response.status_code < 300 and response.mimetype == "application/json":
            row.status, row.response = response.status_code, response.get_data(as_text=True)
        else:
            db.session.delete(row)
        db.session.commit()
    return response

"""The API error format: {"error": {"code", "message", "fields"?, "problems"?}}, and reading JSON bodies."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from tracker.errors import InvalidInput
from tracker.text_rules import json_problems


def error_response(status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra or {})
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def json_body(allowed_types=(dict,)) -> dict:
    """The request's JSON object, or InvalidInput explaining what is wrong with the body.

    Every endpoint reads its body here, so every one refuses the same things: a body nested
    deeper than any field needs, and text holding NUL, other control characters (tab and
    line breaks are fine) or lone surrogates, which no database can store the same way.
    """
    if not request.is_json:
        raise InvalidInput({"body": _("Send a JSON object with 'Content-Type: application/json'.")})
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # `silent` only covers ValueError; [[[[...]]]] overflows the parser
        data, nested = None, True
    else:
        nested = False
    if data is None:
        raise InvalidInput({"body": _("The JSON is nested far too deeply.") if nested
                            else _("The body is not valid JSON.")})
    if not isinstance(data, allowed_types):
        raise InvalidInput({"body": _("The body must be a JSON object.")})
    problems = json_problems(data)
    if problems:
        raise InvalidInput(problems)
    return data

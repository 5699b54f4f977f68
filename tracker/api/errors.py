"""The API error format: {"error": {"code", "message", "fields"?, "problems"?}}."""
from __future__ import annotations

from flask import jsonify, request

from tracker.errors import InvalidInput


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
    """The request's JSON object, or InvalidInput explaining what is wrong with the body."""
    if not request.is_json:
        raise InvalidInput({"body": "Send a JSON object with 'Content-Type: application/json'."})
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput({"body": "The body is not valid JSON."})
    if not isinstance(data, allowed_types):
        raise InvalidInput({"body": "The body must be a JSON object."})
    return data

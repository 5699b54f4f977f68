"""The application's request class: says whether a request is for the API, and refuses form data that
Werkzeug parses but nothing downstream expects; and the session cookie, which only the pages use.

A multipart part without a name comes out of Werkzeug's parser under the key None, and every
reader of request.form (the CSRF check first, before any view) expects text keys: such a
request answered 500 on every route, signed in or not.  It is refused here with a 400.
"""
from __future__ import annotations

from flask import Request, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest


API_PREFIX = "/api/"


class Incoming(Request):
    @property
    def for_api(self) -> bool:
        """Whether this request is for the JSON API (answered in JSON and English), not a page."""
        return self.path.startswith(API_PREFIX)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if None in self.__dict__.get("form", ()) or None in self.__dict__.get("files", ()):
            self.__dict__["form"] = self.parameter_storage_class()  # nothing of it is used
            self.__dict__["files"] = self.parameter_storage_class()
            raise BadRequest("A part of the form has no name.")


class PageSessions(SecureCookieSessionInterface):
    """The signed session cookie, for the pages only.

    Every API call is authenticated by its bearer token and nothing in the API keeps state in a
    session, so an API request gets an empty session that is never saved: its cookie is neither
    verified (no signing work per call) nor sent back, whatever the client sends.
    """

    def open_session(self, app, request):
        if request.for_api:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if request.for_api:
            return
        super().save_session(app, session, response)

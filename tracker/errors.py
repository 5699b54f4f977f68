"""Domain errors shared by every layer; web, API and CLI turn them into messages."""
from __future__ import annotations


class DomainError(Exception):
    """Base class: carries a message meant for the person who caused it."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def explain(self) -> str:
        """One line for a person: the message, or each field's problem."""
        errors = getattr(self, "errors", None)
        if errors:
            return "; ".join(f"{message}" for message in errors.values())
        return self.message


class InvalidInput(DomainError):
    """One or more fields are wrong; ``errors`` maps each field to its message."""

    status = 422
    code = "invalid_input"

    def __init__(self, errors: dict[str, str]):
        fields = ", ".join(sorted(errors))
        super().__init__(f"Invalid or missing fields: {fields}")
        self.errors = errors


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action does not fit the current state, or someone changed it first."""

    status = 409
    code = "conflict"


class DocumentProblems(DomainError):
    """An uploaded file is refused; ``problems`` lists every reason found."""

    status = 422
    code = "invalid_document"

    def __init__(self, problems: list[str], field: str = "file"):
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.errors = {field: self.message}

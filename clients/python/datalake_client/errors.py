"""The errors of the lake, as the server reports them (problem+json with a stable ``code``)."""

from __future__ import annotations

from typing import Any


class DataLakeError(Exception):
    """Base of every error the lake reports. ``code`` is the lake's stable error code."""

    code = "DATALAKE_ERROR"

    def __init__(self, message: str, *, status: int | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details or {}


class NotFoundError(DataLakeError):
    """No entry has that id or path (or the token may not see it)."""

    code = "NOT_FOUND"


class ValidationError(DataLakeError):
    """A bad name, subpath, data type, metadata, query or option; nothing was written."""

    code = "VALIDATION"


class ConflictError(DataLakeError):
    """The path is taken, or the entry kept changing under concurrent writers."""

    code = "CONFLICT"


class PreconditionFailedError(DataLakeError):
    """An ``if_match`` version no longer holds: the entry changed since it was read."""

    code = "PRECONDITION_FAILED"


class TooLargeError(DataLakeError):
    """The content is over the server's size limit; nothing was written."""

    code = "TOO_LARGE"


class UnauthorizedError(DataLakeError):
    """No valid token: missing, unknown, expired or revoked."""

    code = "UNAUTHORIZED"


class ForbiddenError(DataLakeError):
    """The token may see the entry but not do this to it, or is not an admin token."""

    code = "FORBIDDEN"


class BackendError(DataLakeError):
    """The server or its storage failed, or could not be reached."""

    code = "BACKEND"


class CorruptDataError(DataLakeError):
    """Stored bytes no longer match their entry's SHA-256."""

    code = "CORRUPT"


_BY_CODE: dict[str, type[DataLakeError]] = {
    cls.code: cls
    for cls in (
        NotFoundError,
        ValidationError,
        ConflictError,
        PreconditionFailedError,
        TooLargeError,
        UnauthorizedError,
        ForbiddenError,
        BackendError,
        CorruptDataError,
    )
}
# Codes without a class of their own here.
# A retention refusal is a conflict (409) whose ``code`` is ``RETENTION`` and whose ``details`` name the hold.
_BY_CODE.update({"CLOSED": BackendError, "READ_ONLY": BackendError, "RETENTION": ConflictError})


def error_from_problem(status: int, problem: dict[str, Any] | None) -> DataLakeError:
    """The error a problem answer stands for."""
    problem = problem or {}
    code = problem.get("code")
    message = problem.get("detail") or problem.get("title") or f"HTTP {status}"
    cls = _BY_CODE.get(code) if isinstance(code, str) else None
    if cls is None:
        cls = {401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError, 413: TooLargeError}.get(status)
    if cls is None:
        cls = ValidationError if 400 <= status < 500 else BackendError
    error = cls(message, status=status, details=problem.get("details"))
    if isinstance(code, str) and code not in (cls.code,):
        error.code = code
    return error

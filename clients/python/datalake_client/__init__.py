"""Async client of a datalake server, offering the original ``DataLakeInterface`` over HTTP."""

from .client import DataLakeClient
from .errors import (
    BackendError,
    ConflictError,
    CorruptDataError,
    DataLakeError,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
    TooLargeError,
    UnauthorizedError,
    ValidationError,
)
from .interface import DataLakeInterface
from .models import DataLakeEntry, DataType
from .retention import Retention

__all__ = [
    "BackendError",
    "ConflictError",
    "CorruptDataError",
    "DataLakeClient",
    "DataLakeEntry",
    "DataLakeError",
    "DataLakeInterface",
    "DataType",
    "ForbiddenError",
    "NotFoundError",
    "PreconditionFailedError",
    "Retention",
    "TooLargeError",
    "UnauthorizedError",
    "ValidationError",
]

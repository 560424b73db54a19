"""The data model of the original interface: ``DataType`` and ``DataLakeEntry``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class DataType(Enum):
    """The kinds of artifact a lake holds; each is also its top-level folder."""

    SCHEMA = "schema"
    MACRO = "macro"
    DOCUMENTATION = "documentation"
    CONFIGURATION = "configuration"
    LOGS = "logs"
    OTHER = "other"


@dataclass
class DataLakeEntry:
    """One stored artifact.

    The first eight fields are those of the original interface. ``content`` is the UTF-8 decoding
    of the stored bytes (invalid sequences become U+FFFD), or ``None`` when it was not fetched
    (``include_content=False``); ``raw`` holds the exact bytes when they were fetched.
    """

    id: str
    name: str
    data_type: DataType
    content: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime | None
    file_path: str
    subpath: str = ""
    size: int = 0
    sha256: str = ""
    raw: bytes | None = field(default=None, repr=False)


def parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def entry_from_json(data: dict[str, Any], raw: bytes | None = None) -> DataLakeEntry:
    created = parse_time(data["createdAt"])
    assert created is not None
    return DataLakeEntry(
        id=data["id"],
        name=data["name"],
        data_type=DataType(data["dataType"]),
        content=None if raw is None else raw.decode("utf-8", errors="replace"),
        metadata=data.get("metadata") or {},
        created_at=created,
        updated_at=parse_time(data.get("updatedAt")),
        file_path=data["filePath"],
        subpath=data.get("subpath", ""),
        size=data.get("size", 0),
        sha256=data.get("sha256", ""),
        raw=raw,
    )

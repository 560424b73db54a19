"""The abstract interface the services were written against."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .models import DataLakeEntry, DataType


class DataLakeInterface(ABC):
    """A data lake of code artifacts: store, retrieve, list, search, update, delete, stats."""

    @abstractmethod
    async def store(
        self,
        name: str,
        content: str | bytes,
        data_type: DataType,
        metadata: dict[str, Any] | None = None,
        subpath: str | None = None,
    ) -> DataLakeEntry: ...

    @abstractmethod
    async def retrieve(self, entry_id: str) -> DataLakeEntry: ...

    @abstractmethod
    async def retrieve_by_path(self, path: str) -> DataLakeEntry: ...

    @abstractmethod
    async def list(
        self, data_type: DataType | None = None, subpath: str | None = None, recursive: bool = True
    ) -> list[DataLakeEntry]: ...

    @abstractmethod
    async def search(
        self, query: str, data_type: DataType | None = None, subpath: str | None = None
    ) -> list[DataLakeEntry]: ...

    @abstractmethod
    async def update(
        self, entry_id: str, content: str | bytes | None = None, metadata: dict[str, Any] | None = None
    ) -> DataLakeEntry: ...

    @abstractmethod
    async def delete(self, entry_id: str) -> bool: ...

    @abstractmethod
    async def get_stats(self) -> dict[str, Any]: ...

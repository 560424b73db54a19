"""``DataLakeClient``: the ``DataLakeInterface`` over HTTP, against ``datalake serve``."""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import json
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any
from urllib.parse import quote, unquote

import httpx

from .errors import (
    BackendError,
    ConflictError,
    CorruptDataError,
    NotFoundError,
    ValidationError,
    error_from_problem,
)
from .interface import DataLakeInterface
from .models import DataLakeEntry, DataType, entry_from_json
from .retention import Retention

_LIST_PAGE = 5000
_SEARCH_PAGE = 1000
_STATS_KEYS = {
    "totalEntries": "total_entries",
    "entriesByType": "entries_by_type",
    "totalSizeBytes": "total_size_bytes",
    "totalSizeMb": "total_size_mb",
    "createdEntries": "created_entries",
    "updatedEntries": "updated_entries",
    "storedSizeBytes": "stored_size_bytes",
    "originalSizeBytes": "original_size_bytes",
}


class DataLakeClient(DataLakeInterface):
    """A shared data lake behind ``datalake serve``.

    ``DataLakeClient("http://lake:8080", token="dlk_...")`` is a drop-in ``DataLakeInterface``:
    the same async methods, ``DataLakeEntry`` results and ``DataLakeError`` family. Beyond the
    original interface it reads and writes exact bytes and streams (``read_bytes``, ``stream``,
    ``store_stream``), pages searches with every filter (``search_page``) and supports
    compare-and-swap (``if_match``). Use it as ``async with DataLakeClient(...) as lake:`` or call
    ``aclose()``.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | None = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        content_concurrency: int = 8,
    ) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._content_slots = asyncio.Semaphore(content_concurrency)
        #: Retention rules, holds on entries, plan and apply.
        self.retention = Retention(self._json)

    async def __aenter__(self) -> DataLakeClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the original interface ---------------------------------------------------------------

    async def store(
        self,
        name: str,
        content: str | bytes,
        data_type: DataType,
        metadata: dict[str, Any] | None = None,
        subpath: str | None = None,
    ) -> DataLakeEntry:
        raw = _as_bytes(content)
        data = await self._store(name, raw, data_type, metadata, subpath)
        return entry_from_json(data, raw)

    async def retrieve(self, entry_id: str) -> DataLakeEntry:
        entry_url = f"/v1/entries/{_segment(entry_id)}"
        return await self._retrieve(f"{entry_url}/content", entry_url, entry_id)

    async def retrieve_by_path(self, path: str) -> DataLakeEntry:
        return await self._retrieve(f"/v1/files/{_path(path)}", f"/v1/paths/{_path(path)}", path)

    async def list(
        self,
        data_type: DataType | None = None,
        subpath: str | None = None,
        recursive: bool = True,
        *,
        include_content: bool = True,
    ) -> builtins.list[DataLakeEntry]:
        """Entries ordered by path. Their content is fetched too unless ``include_content=False``."""
        params: dict[str, str] = {"recursive": "true" if recursive else "false", "limit": str(_LIST_PAGE)}
        if data_type is not None:
            params["dataType"] = _type_value(data_type)
        if subpath:
            params["subpath"] = subpath
        found: builtins.list[dict[str, Any]] = []
        while True:
            page = await self._json("GET", "/v1/entries", params=params)
            found.extend(page["entries"])
            if "cursor" not in page:
                break
            params["cursor"] = page["cursor"]
        return await self._entries(found, include_content)

    async def search(
        self,
        query: str,
        data_type: DataType | None = None,
        subpath: str | None = None,
        *,
        mode: str = "substring",
        case_sensitive: bool = False,
        metadata: dict[str, Any] | None = None,
        include_content: bool = True,
    ) -> builtins.list[DataLakeEntry]:
        """Every matching entry (case-insensitive substring by default), in the lake's order."""
        options: dict[str, Any] = {"mode": mode, "caseSensitive": case_sensitive, "limit": _SEARCH_PAGE}
        if data_type is not None:
            options["dataType"] = _type_value(data_type)
        if subpath:
            options["subpath"] = subpath
        if metadata:
            options["metadata"] = metadata
        found: builtins.list[dict[str, Any]] = []
        while True:
            page = await self.search_page(query, **options)
            found.extend(hit["entry"] for hit in page["hits"])
            if "cursor" not in page:
                break
            options["cursor"] = page["cursor"]
        return await self._entries(found, include_content)

    async def update(
        self,
        entry_id: str,
        content: str | bytes | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        if_match: str | None = None,
    ) -> DataLakeEntry:
        """Replaces the content and/or merges ``metadata`` (top-level keys replace).

        ``if_match``: the ``sha256`` of the content (or a version from ``version_of``) the change
        is based on; ``PreconditionFailedError`` when the entry has changed since.
        """
        headers = {"if-match": _quoted(if_match)} if if_match else {}
        if content is None:
            data = await self._json(
                "PATCH", f"/v1/entries/{_segment(entry_id)}", json={"metadata": metadata or {}}, headers=headers
            )
            return entry_from_json(data)
        raw = _as_bytes(content)
        headers.update({"content-type": "application/octet-stream", **_metadata_header(metadata)})
        data = await self._json("PUT", f"/v1/entries/{_segment(entry_id)}/content", content=raw, headers=headers)
        return entry_from_json(data, raw)

    async def delete(self, entry_id: str) -> bool:
        try:
            await self._request("DELETE", f"/v1/entries/{_segment(entry_id)}")
        except NotFoundError:
            return False
        return True

    async def get_stats(self) -> dict[str, Any]:
        """``total_entries``, ``entries_by_type``, ``total_size_bytes``, ``total_size_mb``,
        ``created_entries``, ``updated_entries`` (of the entries the token can read), and beyond the
        original: ``stored_size_bytes`` and ``original_size_bytes`` (they differ where the lake
        compresses content)."""
        stats = await self._json("GET", "/v1/stats")
        return {_STATS_KEYS.get(key, key): value for key, value in stats.items()}

    # --- beyond the original: bytes, streams, pages, versions ---------------------------------

    async def read_bytes(self, entry_id: str) -> bytes:
        """The exact stored bytes, checked against the entry's SHA-256."""
        entry = await self.retrieve(entry_id)
        assert entry.raw is not None
        return entry.raw

    async def stream(self, entry_id: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """The content in chunks, never held whole; raises ``ConflictError`` at the end if it changed meanwhile."""
        async with self._http.stream("GET", f"/v1/entries/{_segment(entry_id)}/content") as response:
            await _raise_for_problem(response)
            expected = (response.headers.get("etag") or "").strip('"')
            digest = hashlib.sha256()
            try:
                async for chunk in response.aiter_bytes(chunk_size):
                    digest.update(chunk)
                    yield chunk
            except httpx.HTTPError as error:
                raise BackendError(f"the content of {entry_id} broke off: {error}") from error
            if digest.hexdigest() != expected:
                raise ConflictError(f"content of {entry_id} changed while it was read; read it again")

    async def store_stream(
        self,
        name: str,
        chunks: AsyncIterable[bytes],
        data_type: DataType,
        metadata: dict[str, Any] | None = None,
        subpath: str | None = None,
    ) -> DataLakeEntry:
        """Stores content from an async iterable of bytes, streamed to the server (content not kept)."""
        data = await self._store(name, chunks, data_type, metadata, subpath)
        return entry_from_json(data)

    async def search_page(self, query: str, **options: Any) -> dict[str, Any]:
        """One page of search results as the server sends them: ``{"hits": [...], "cursor"?}``.

        Options are those of the lake (camelCase): ``mode``, ``caseSensitive``, ``dataType``,
        ``subpath``, ``metadata``, ``createdAfter``, ``createdBefore``, ``modifiedAfter``,
        ``modifiedBefore``, ``limit``, ``cursor``, ``maxLinesPerHit``.
        """
        return await self._json("POST", "/v1/search", json={"query": query, **options})

    async def version_of(self, entry_id: str) -> str:
        """The entry's version (changes with every update of content or metadata), for ``if_match``."""
        response = await self._request("GET", f"/v1/entries/{_segment(entry_id)}")
        return (response.headers.get("etag") or "").strip('"')

    async def refresh(self) -> None:
        """Asks the server to catch up with other instances' writes now."""
        await self._request("POST", "/v1/refresh")

    # --- internals ---------------------------------------------------------------------------

    async def _store(
        self,
        name: str,
        body: bytes | AsyncIterable[bytes],
        data_type: DataType,
        metadata: dict[str, Any] | None,
        subpath: str | None,
    ) -> dict[str, Any]:
        params = {"name": name, "dataType": _type_value(data_type)}
        if subpath:
            params["subpath"] = subpath
        headers = {"content-type": "application/octet-stream", **_metadata_header(metadata)}
        return await self._json("POST", "/v1/entries", params=params, content=body, headers=headers)

    async def _retrieve(self, url: str, entry_url: str, what: str) -> DataLakeEntry:
        for _attempt in range(2):
            response = await self._request("GET", url)
            raw = response.content
            entry = await self._entry_of(response, entry_url)
            if hashlib.sha256(raw).hexdigest() == entry["sha256"]:
                return entry_from_json(entry, raw)
        raise CorruptDataError(f"content of {what} does not match its SHA-256")

    async def _entry_of(self, response: httpx.Response, entry_url: str) -> dict[str, Any]:
        """The entry a content answer came with: in its ``Datalake-Entry`` header, or asked for."""
        header = response.headers.get("datalake-entry")
        if header is not None:
            return json.loads(unquote(header))
        return await self._json("GET", entry_url)

    async def _entries(self, found: builtins.list[dict[str, Any]], include_content: bool) -> builtins.list[DataLakeEntry]:
        if not include_content:
            return [entry_from_json(data) for data in found]

        async def with_content(data: dict[str, Any]) -> DataLakeEntry:
            async with self._content_slots:
                try:
                    return await self.retrieve(data["id"])
                except NotFoundError:
                    return entry_from_json(data)  # deleted meanwhile: listed as it was

        return builtins.list(await asyncio.gather(*(with_content(data) for data in found)))

    async def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        return (await self._request(method, url, **kwargs)).json()

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise BackendError(f"cannot reach the lake server ({method} {url}): {error}") from error
        await _raise_for_problem(response)
        return response


async def _raise_for_problem(response: httpx.Response) -> None:
    if response.is_success:
        return
    await response.aread()
    try:
        problem = response.json()
    except ValueError:
        problem = None
    raise error_from_problem(response.status_code, problem if isinstance(problem, dict) else None)


def _as_bytes(content: str | bytes) -> bytes:
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content)
    raise ValidationError("content must be str or bytes")


def _type_value(data_type: DataType | str) -> str:
    if isinstance(data_type, DataType):
        return data_type.value
    try:
        return DataType(data_type).value
    except ValueError:
        raise ValidationError(
            f"data_type must be one of {', '.join(t.value for t in DataType)}; got {data_type!r}"
        ) from None


def _metadata_header(metadata: dict[str, Any] | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise ValidationError("metadata must be a dict")
    return {"datalake-metadata": quote(json.dumps(metadata, ensure_ascii=False), safe="")}


def _quoted(tag: str) -> str:
    return tag if tag.startswith('"') or tag == "*" else f'"{tag}"'


def _segment(value: str) -> str:
    """One URL segment. ``.`` and ``..`` cannot travel as segments (URLs resolve them) and name no entry."""
    if not isinstance(value, str):
        raise ValidationError("an id must be a string")
    if value in (".", ".."):
        raise NotFoundError(f"no entry with id {value!r}")
    return quote(value, safe="")


def _path(path: str) -> str:
    if not isinstance(path, str):
        raise ValidationError("a path must be a string")
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise NotFoundError(f"no entry at path {path!r}")
    return "/".join(quote(segment, safe="") for segment in segments)


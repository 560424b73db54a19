from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import pytest

from datalake_client import (
    ConflictError,
    DataLakeClient,
    DataLakeEntry,
    DataLakeError,
    DataLakeInterface,
    DataType,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
    UnauthorizedError,
    ValidationError,
)


def unique(prefix: str) -> str:
    """A folder of its own per test: the server's lake is shared by the session."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_the_original_interface_is_kept() -> None:
    assert issubclass(DataLakeClient, DataLakeInterface)
    assert [t.value for t in DataType] == ["schema", "macro", "documentation", "configuration", "logs", "other"]
    assert issubclass(NotFoundError, DataLakeError) and issubclass(ValidationError, DataLakeError)
    fields = list(DataLakeEntry.__dataclass_fields__)
    assert fields[:8] == ["id", "name", "data_type", "content", "metadata", "created_at", "updated_at", "file_path"]


async def test_store_retrieve_update_delete(lake: DataLakeClient) -> None:
    folder = unique("finance")
    entry = await lake.store(
        "macro.vba",
        'Attribute VB_Name = "Report"\nSub Run()\nEnd Sub\n',
        DataType.MACRO,
        metadata={"owner": "finance", "tags": ["é"]},
        subpath=folder,
    )
    assert entry.file_path == f"macro/{folder}/macro.vba"
    assert entry.data_type is DataType.MACRO
    assert isinstance(entry.created_at, datetime) and entry.updated_at is None

    by_id = await lake.retrieve(entry.id)
    assert by_id.content == 'Attribute VB_Name = "Report"\nSub Run()\nEnd Sub\n'
    assert by_id.metadata == {"owner": "finance", "tags": ["é"]}
    by_path = await lake.retrieve_by_path(entry.file_path)
    assert by_path.id == entry.id

    updated = await lake.update(entry.id, metadata={"reviewed": True})
    assert updated.metadata == {"owner": "finance", "tags": ["é"], "reviewed": True}
    assert updated.updated_at is not None
    replaced = await lake.update(entry.id, content="Sub Run2()\nEnd Sub\n")
    assert (await lake.retrieve(entry.id)).content == "Sub Run2()\nEnd Sub\n"
    assert replaced.sha256 == hashlib.sha256(b"Sub Run2()\nEnd Sub\n").hexdigest()

    assert await lake.delete(entry.id) is True
    assert await lake.delete(entry.id) is False
    with pytest.raises(NotFoundError):
        await lake.retrieve(entry.id)
    with pytest.raises(NotFoundError):
        await lake.retrieve_by_path(entry.file_path)


async def test_list_and_search(lake: DataLakeClient) -> None:
    folder = unique("shop")
    await lake.store("orders.sql", "CREATE TABLE orders (id INT);\n", DataType.SCHEMA, subpath=folder)
    await lake.store("items.sql", "CREATE TABLE items (id INT);\n", DataType.SCHEMA, subpath=f"{folder}/deep")
    await lake.store("readme.md", "# orders\n", DataType.DOCUMENTATION, subpath=folder)

    listed = await lake.list(DataType.SCHEMA, folder)
    assert [e.file_path for e in listed] == [f"schema/{folder}/deep/items.sql", f"schema/{folder}/orders.sql"]
    assert listed[1].content == "CREATE TABLE orders (id INT);\n"
    direct = await lake.list(DataType.SCHEMA, folder, recursive=False, include_content=False)
    assert [e.name for e in direct] == ["orders.sql"] and direct[0].content is None
    assert len(await lake.list(subpath=folder)) == 3

    found = await lake.search("create table", data_type=DataType.SCHEMA, subpath=folder)
    assert sorted(e.name for e in found) == ["items.sql", "orders.sql"]
    assert all(e.content and "CREATE TABLE" in e.content for e in found)
    assert sorted(e.name for e in await lake.search("orders", subpath=folder)) == ["orders.sql", "readme.md"]
    page = await lake.search_page("CREATE", subpath=folder, limit=1, mode="regex")
    assert len(page["hits"]) == 1 and "cursor" in page
    assert page["hits"][0]["lines"][0]["line"] == 1


async def test_stats_are_snake_case(lake: DataLakeClient) -> None:
    stats = await lake.get_stats()
    assert set(stats) == {
        "total_entries",
        "entries_by_type",
        "total_size_bytes",
        "total_size_mb",
        "created_entries",
        "updated_entries",
        "stored_size_bytes",
        "original_size_bytes",
    }
    assert stats["original_size_bytes"] == stats["total_size_bytes"]
    before = stats["total_entries"]
    await lake.store("count.log", "x", DataType.LOGS, subpath=unique("stats"))
    after = await lake.get_stats()
    assert after["total_entries"] == before + 1
    assert set(after["entries_by_type"]) == {t.value for t in DataType}


async def test_bytes_and_streams(lake: DataLakeClient) -> None:
    folder = unique("bin")
    every_byte = bytes(range(256)) * 3 + b"\xff\xfe\x80"
    entry = await lake.store("all.bin", every_byte, DataType.OTHER, subpath=folder)
    assert await lake.read_bytes(entry.id) == every_byte
    chunks = [chunk async for chunk in lake.stream(entry.id, chunk_size=100)]
    assert b"".join(chunks) == every_byte
    assert (await lake.retrieve(entry.id)).content == every_byte.decode("utf-8", errors="replace")

    async def parts():
        for index in range(50):
            yield bytes([index]) * 10_000

    streamed = await lake.store_stream("big.bin", parts(), DataType.OTHER, metadata={"parts": 50}, subpath=folder)
    assert streamed.size == 500_000
    assert await lake.read_bytes(streamed.id) == b"".join(bytes([i]) * 10_000 for i in range(50))


async def test_errors(lake: DataLakeClient, server) -> None:
    folder = unique("errors")
    await lake.store("taken.txt", "a", DataType.OTHER, subpath=folder)
    with pytest.raises(ConflictError):
        await lake.store("taken.txt", "b", DataType.OTHER, subpath=folder)
    for name, subpath in [("a/b.txt", None), ("..", None), ("ok.txt", "../escape"), ("", None)]:
        with pytest.raises(ValidationError):
            await lake.store(name, "x", DataType.OTHER, subpath=subpath)
    with pytest.raises(ValidationError):
        await lake.store("x.txt", "x", "spreadsheet")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        await lake.retrieve("non-existent-id")
    for path in ["non/existent/path.sql", "schema/../x.sql", "..", "schema/%2e%2e/x"]:
        with pytest.raises(NotFoundError):
            await lake.retrieve_by_path(path)
    with pytest.raises(NotFoundError):
        await lake.update("non-existent-id", metadata={"a": 1})

    entry = await lake.store("cas.txt", "v1", DataType.OTHER, subpath=folder)
    version = await lake.version_of(entry.id)
    await lake.update(entry.id, metadata={"step": 1}, if_match=version)
    with pytest.raises(PreconditionFailedError):
        await lake.update(entry.id, metadata={"step": 2}, if_match=version)

    async with DataLakeClient(server.url, token="dlk_0000000000000000_" + "A" * 43) as wrong:
        with pytest.raises(UnauthorizedError):
            await wrong.get_stats()
    async with DataLakeClient(server.url) as anonymous:
        with pytest.raises(UnauthorizedError):
            await anonymous.list()


async def test_a_scoped_token_sees_only_its_grants(lake: DataLakeClient, server) -> None:
    folder = unique("scoped")
    mine = await lake.store("mine.yml", "a: 1\n", DataType.CONFIGURATION, subpath=folder)
    other = await lake.store("other.yml", "b: 2\n", DataType.CONFIGURATION, subpath=f"{folder}-x")
    token = server.cli("token", "create", "--name", "py-reader", "--grant", f"read prefix={folder}").strip()
    async with DataLakeClient(server.url, token=token) as scoped:
        assert [e.id for e in await scoped.list()] == [mine.id]
        assert (await scoped.get_stats())["total_entries"] == 1
        assert [e.id for e in await scoped.search("yml")] == [mine.id]
        with pytest.raises(NotFoundError):
            await scoped.retrieve(other.id)
        with pytest.raises(ForbiddenError):
            await scoped.update(mine.id, metadata={"x": 1})
        with pytest.raises(ForbiddenError):
            await scoped.store("new.yml", "c", DataType.CONFIGURATION, subpath=folder)

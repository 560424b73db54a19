"""Retention over HTTP from Python: rules, holds, refusals, plan and apply, and a scoped token."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from datalake_client import ConflictError, DataLakeClient, DataType, ForbiddenError, NotFoundError, ValidationError


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_rules_are_versioned_and_edited_one_by_one(lake: DataLakeClient) -> None:
    start = (await lake.retention.rules())["version"]
    name = unique("configs")
    one = await lake.retention.put_rule(
        name, match={"dataType": "configuration"}, keep_last_versions=2, author="ada", message="two"
    )
    assert one["version"] == start + 1 and one["author"] == "ada"
    assert await lake.retention.rule(name) == {"name": name, "match": {"dataType": "configuration"}, "keepLastVersions": 2}
    with pytest.raises(ConflictError):
        await lake.retention.put_rule(name, keep_last_versions=3, if_version=start)
    removed = await lake.retention.delete_rule(name, if_version=start + 1)
    assert all(rule["name"] != name for rule in removed["rules"])
    history = await lake.retention.rules_history()
    assert [version["version"] for version in history[:2]] == [start + 2, start + 1]
    with pytest.raises(NotFoundError):
        await lake.retention.rule(name)
    with pytest.raises(ValidationError) as bad:
        await lake.retention.put_rule(name, keep_last_versions=0)
    assert bad.value.status == 400
    assert (await lake.retention.rules())["version"] == start + 2


async def test_holds_refuse_deletes_naming_the_hold(lake: DataLakeClient) -> None:
    entry = await lake.store(f"{unique('held')}.cfg", "x", DataType.CONFIGURATION)
    await lake.retention.set_legal_hold(entry.id, "case 9", author="legal")
    with pytest.raises(ConflictError) as refused:
        await lake.delete(entry.id)
    assert refused.value.code == "RETENTION" and refused.value.status == 409
    assert refused.value.details == {"id": entry.id, "hold": "legal", "reason": "case 9"}
    assert "legalHold" not in await lake.retention.release_legal_hold(entry.id)

    far = datetime.now(timezone.utc) + timedelta(days=30)
    near = datetime.now(timezone.utc) + timedelta(days=1)
    await lake.retention.set_retain_until(entry.id, far, mode="compliance")
    with pytest.raises(ConflictError) as shortened:
        await lake.retention.set_retain_until(entry.id, near, mode="compliance", override=True)
    assert shortened.value.details["hold"] == "compliance"
    with pytest.raises(ConflictError):
        await lake.delete(entry.id)
    with pytest.raises(ValidationError):
        await lake.retention.set_retain_until(entry.id, "not a time")


async def test_plan_and_apply_and_a_scoped_token(lake: DataLakeClient, server) -> None:
    folder = unique("ret")
    config = await lake.store("a.cfg", "v1", DataType.CONFIGURATION, subpath=folder)
    for content in ("v2", "v3"):
        await lake.update(config.id, content=content)
    rules = await lake.retention.put_rule(
        unique("py"), match={"pathPrefix": f"configuration/{folder}"}, keep_last_versions=1
    )
    later = datetime.now(timezone.utc) + timedelta(days=1)
    plan = await lake.retention.plan(later)
    going = [item for item in plan["versions"] if item["id"] == config.id]
    assert [version["version"] for version in going[0]["versions"]] == [1, 2]
    assert plan["partial"] is False

    token = server.cli("token", "create", "--name", "py-docs", "--grant", "read,write type=documentation").strip()
    async with DataLakeClient(server.url, token=token) as scoped:
        seen = await scoped.retention.plan(later)
        assert seen["partial"] is True
        assert all(item["id"] != config.id for item in seen["versions"])
        with pytest.raises(NotFoundError):
            await scoped.retention.holds(config.id)
        with pytest.raises(ForbiddenError):
            await scoped.retention.apply()
        with pytest.raises(ForbiddenError):
            await scoped.retention.put_rule("mine", keep_last_versions=1)

    outcome = await lake.retention.apply(later)
    assert any(item["id"] == config.id for item in outcome["versions"])
    await lake.retention.set_rules([], if_version=rules["version"])

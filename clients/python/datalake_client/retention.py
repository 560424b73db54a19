"""Retention over HTTP: the versioned rules, holds on entries, plan and apply (``lake.retention``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from .errors import NotFoundError, ValidationError

JsonCall = Callable[..., Awaitable[Any]]
Mode = Literal["governance", "compliance"]


class Retention:
    """``client.retention``: answers are the server's JSON (camelCase keys), as documented in its OpenAPI.

    Changing rules or holds and ``apply`` need an admin token (``ForbiddenError`` otherwise). A
    refused change or delete raises ``ConflictError`` with ``code == "RETENTION"`` and ``details``
    naming the hold (``hold``: ``legal``, ``governance`` or ``compliance``).
    """

    def __init__(self, call: JsonCall) -> None:
        self._call = call

    async def rules(self) -> dict[str, Any]:
        """The rules in force: ``{"version", "rules", "at", "author"?, "message"?}``."""
        return await self._call("GET", "/v1/retention/rules")

    async def rules_history(self) -> list[dict[str, Any]]:
        """Every version of the rules, newest first."""
        return await self._call("GET", "/v1/retention/rules/versions")

    async def rule(self, name: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/retention/rules/{_rule_segment(name)}")

    async def set_rules(
        self,
        rules: list[dict[str, Any]],
        *,
        if_version: int | None = None,
        author: str | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        """Replaces every rule, as a new version (``ConflictError`` if not at ``if_version``)."""
        body = {"rules": rules, **_change(if_version, author, message)}
        return await self._call("PUT", "/v1/retention/rules", json=body)

    async def put_rule(
        self,
        name: str,
        *,
        match: dict[str, Any] | None = None,
        keep_last_versions: int | None = None,
        keep_noncurrent_days: int | None = None,
        purge_deleted_after_days: int | None = None,
        if_version: int | None = None,
        author: str | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        """Creates or replaces the rule ``name``, as a new version of the rules."""
        settings = {
            "match": match,
            "keepLastVersions": keep_last_versions,
            "keepNoncurrentDays": keep_noncurrent_days,
            "purgeDeletedAfterDays": purge_deleted_after_days,
        }
        body = {key: value for key, value in settings.items() if value is not None}
        body.update(_change(if_version, author, message))
        return await self._call("PUT", f"/v1/retention/rules/{_rule_segment(name)}", json=body)

    async def delete_rule(
        self, name: str, *, if_version: int | None = None, author: str | None = None, message: str | None = None
    ) -> dict[str, Any]:
        params = {key: str(value) for key, value in _change(if_version, author, message).items()}
        return await self._call("DELETE", f"/v1/retention/rules/{_rule_segment(name)}", params=params)

    async def holds(self, entry_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/entries/{_id_segment(entry_id)}/holds")

    async def set_legal_hold(self, entry_id: str, reason: str, *, author: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": reason}
        if author is not None:
            body["author"] = author
        return await self._call("PUT", f"/v1/entries/{_id_segment(entry_id)}/holds/legal", json=body)

    async def release_legal_hold(self, entry_id: str) -> dict[str, Any]:
        return await self._call("DELETE", f"/v1/entries/{_id_segment(entry_id)}/holds/legal")

    async def set_retain_until(
        self,
        entry_id: str,
        until: datetime | str | None,
        *,
        mode: Mode = "governance",
        override: bool = False,
        author: str | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        """Sets a retain-until date; shortening a governance one needs ``override=True`` (audited)."""
        body: dict[str, Any] = {"until": _moment(until) if until is not None else None, "mode": mode}
        if override:
            body["override"] = True
        body.update(_change(None, author, message))
        return await self._call("PUT", f"/v1/entries/{_id_segment(entry_id)}/holds/retain-until", json=body)

    async def plan(self, now: datetime | str | None = None) -> dict[str, Any]:
        """A dry run: ``versions``, ``entries``, ``blobs``, ``bytesFreed``; ``partial`` when filtered by grants."""
        params = {} if now is None else {"now": _moment(now)}
        return await self._call("GET", "/v1/retention/plan", params=params)

    async def apply(self, now: datetime | str | None = None) -> dict[str, Any]:
        params = {} if now is None else {"now": _moment(now)}
        return await self._call("POST", "/v1/retention/apply", params=params)


def _change(if_version: int | None, author: str | None, message: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if if_version is not None:
        out["ifVersion"] = if_version
    if author is not None:
        out["author"] = author
    if message is not None:
        out["message"] = message
    return out


def _moment(value: datetime | str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError("a datetime needs a timezone (e.g. datetime.now(timezone.utc))")
        return value.isoformat()
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"not an ISO-8601 time: {value!r}") from None
        return value
    raise ValidationError("a time must be a datetime or an ISO-8601 string")


def _rule_segment(name: str) -> str:
    if not isinstance(name, str) or name.strip() == "":
        raise ValidationError("a rule name is a non-empty string")
    if name in (".", ".."):
        raise NotFoundError(f"no retention rule named {name!r}")
    return quote(name, safe="")


def _id_segment(entry_id: str) -> str:
    if not isinstance(entry_id, str):
        raise ValidationError("an id must be a string")
    if entry_id in (".", "..", ""):
        raise NotFoundError(f"no entry with id {entry_id!r}")
    return quote(entry_id, safe="")

"""A real server for the tests: the built ``datalake serve`` over a temporary disk lake."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from datalake_client import DataLakeClient

CLI = Path(__file__).resolve().parents[3] / "apps" / "cli" / "dist" / "main.js"


@dataclass
class Server:
    url: str
    admin_token: str
    lake_dir: Path

    def cli(self, *args: str) -> str:
        """Runs the command line against the lake's folder (offline admin work)."""
        return subprocess.run(
            ["node", str(CLI), "--lake", str(self.lake_dir), *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    if not CLI.exists():
        raise RuntimeError(f"build the command line first (pnpm build): {CLI} is missing")
    folder = Path(tempfile.mkdtemp(prefix="datalake-py-"))
    lake_dir = folder / "lake"
    env = {key: value for key, value in os.environ.items() if key != "DATALAKE_URL"}
    token = subprocess.run(
        ["node", str(CLI), "--lake", str(lake_dir), "token", "create", "--admin", "--name", "pytest"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.strip()
    process = subprocess.Popen(
        ["node", str(CLI), "--lake", str(lake_dir), "--no-fsync", "serve", "--port", "0", "--no-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = None
    assert process.stderr is not None
    for line in process.stderr:
        match = re.search(r" at (http://\S+) ", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        process.kill()
        raise RuntimeError("the server did not start")
    try:
        yield Server(url=url, admin_token=token, lake_dir=lake_dir)
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def lake(server: Server) -> AsyncIterator[DataLakeClient]:
    async with DataLakeClient(server.url, token=server.admin_token) as client:
        yield client

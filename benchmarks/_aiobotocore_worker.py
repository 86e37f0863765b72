"""The aiobotocore side of async_latency.py, run from a venv of its own.

aiobotocore pins botocore 1.43.x and account_mgmt needs 1.44, so this runs
as a subprocess under /work/venv-aiobotocore/bin/python (see async_latency.py).
It reads the emulator's endpoint and keys from the environment
(``BENCH_ENDPOINT_URL``, ``BENCH_ACCESS_KEY_ID``, ``BENCH_SECRET_ACCESS_KEY``,
``BENCH_ACCOUNT_ID``), then answers one JSON line per JSON command line on
stdin, timing with the same loops (``_asyncbench``) as the main script.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from typing import Any

import aiobotocore  # type: ignore[import-not-found, import-untyped, unused-ignore]
import aiobotocore.config  # type: ignore[import-not-found, import-untyped, unused-ignore]
import aiobotocore.session  # type: ignore[import-not-found, import-untyped, unused-ignore]
import aiohttp
import botocore
from _asyncbench import AiohttpReplay, Call, cpu_per_call, latency


class Worker:
    def __init__(self, *, pool: int) -> None:
        self._pool = pool
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._floor = AiohttpReplay(pool=pool)

    async def _aiobotocore_client(self) -> Any:
        if self._client is None:
            session = aiobotocore.session.get_session()
            self._client = await self._stack.enter_async_context(
                session.create_client(
                    "account",
                    region_name="us-east-1",
                    endpoint_url=os.environ["BENCH_ENDPOINT_URL"],
                    aws_access_key_id=os.environ["BENCH_ACCESS_KEY_ID"],
                    aws_secret_access_key=os.environ["BENCH_SECRET_ACCESS_KEY"],
                    config=aiobotocore.config.AioConfig(
                        retries={"mode": "standard", "max_attempts": 3},
                        max_pool_connections=self._pool,
                    ),
                )
            )
        return self._client

    async def call_for(self, command: dict[str, Any]) -> Call:
        if command["client"] == "aiohttp":
            request = command["request"]
            return self._floor.call_for(
                request["url"], request["body"].encode(), request["headers"]
            )
        client = await self._aiobotocore_client()
        account_id = os.environ["BENCH_ACCOUNT_ID"]
        if command["operation"] == "GetAccountInformation":
            return lambda: client.get_account_information(AccountId=account_id)
        if command["operation"] == "ListRegions":
            return lambda: client.list_regions(AccountId=account_id, MaxResults=50)
        raise ValueError(f"unknown operation {command['operation']!r}")

    async def run(self, command: dict[str, Any]) -> dict[str, float]:
        call = await self.call_for(command)
        if command["mode"] == "cpu":
            return await cpu_per_call(
                call, calls=command["calls"], concurrency=command["concurrency"]
            )
        return await latency(call, calls=command["calls"])

    async def aclose(self) -> None:
        await self._floor.aclose()
        await self._stack.aclose()


def main() -> None:
    pool = int(os.environ["BENCH_POOL"])
    with asyncio.Runner() as runner:
        worker = Worker(pool=pool)
        versions = {
            "aiobotocore": aiobotocore.__version__,
            "botocore": botocore.__version__,
            "aiohttp": aiohttp.__version__,
        }
        print(json.dumps({"ready": True, "versions": versions}), flush=True)
        try:
            for line in sys.stdin:
                result = runner.run(worker.run(json.loads(line)))
                print(json.dumps(result), flush=True)
        finally:
            runner.run(worker.aclose())


if __name__ == "__main__":
    main()

"""CPU time per call of AiohttpTransport vs plain aiohttp, 50 concurrent tasks, local server.

The server is a minimal asyncio HTTP/1.1 responder in a child process, so the
process time measured here is the client's alone (event loop, HTTP stack,
and for AiohttpTransport its deadline guard, header copy, size cap and
translation boundary). Both sides send the same signed-looking POST and read
the whole answer; both pool ``--pool`` keep-alive connections.

    python benchmarks/async_transport.py [--calls 20000] [--concurrency 50] [--rounds 3]

(From a worktree, prefix ``PYTHONPATH=.``: the editable install points at main.)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from account_mgmt._async_transport import AiohttpTransport
from account_mgmt._http import HttpRequest

_BODY = b'{"AccountId":"123456789012","AccountName":"bench","AccountCreatedDate":1.7E9}'
_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
    b"x-amzn-RequestId: 5f6c0e0c-0000-4000-8000-000000000000\r\n"
    + f"Content-Length: {len(_BODY)}\r\n\r\n".encode()
    + _BODY
)
_HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "User-Agent": "account-mgmt/bench",
    "X-Amz-Date": "20261130T120000Z",
    "X-Amz-Content-SHA256": "0" * 64,
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/account/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
}


class _Responder(asyncio.Protocol):
    """Answers every whole request on a connection with the canned answer."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._buffer = b""

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end].lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            self._transport.write(_ANSWER)


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Responder, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


async def _measure(
    send: Callable[[], Awaitable[None]], calls: int, concurrency: int
) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for ``calls`` sends by ``concurrency`` tasks."""
    for _ in range(200):  # warm the pool and the caches
        await send()
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await send()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.process_time() - cpu, time.perf_counter() - wall


async def _transport_run(url: str, calls: int, concurrency: int, pool: int) -> tuple[float, float]:
    transport = AiohttpTransport(
        endpoint_url=url,
        connect_timeout=10.0,
        read_timeout=60.0,
        verify=True,
        max_pool_connections=pool,
        max_response_bytes=10 * 1024 * 1024,
    )
    request = HttpRequest(
        method="POST", url=f"{url}/getAccountInformation", headers=_HEADERS, body=b"{}"
    )

    async def send() -> None:
        answer = await transport.send(request, deadline=time.monotonic() + 300)
        assert answer.status_code == 200

    try:
        return await _measure(send, calls, concurrency)
    finally:
        await transport.aclose()


async def _aiohttp_run(url: str, calls: int, concurrency: int, pool: int) -> tuple[float, float]:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=pool))
    target = f"{url}/getAccountInformation"

    async def send() -> None:
        async with session.post(target, data=b"{}", headers=_HEADERS) as response:
            await response.read()
            assert response.status == 200

    try:
        return await _measure(send, calls, concurrency)
    finally:
        await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--pool", type=int, default=10, help="connections (the client default)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians shown")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        results: dict[str, list[tuple[float, float]]] = {
            "aiohttp alone": [],
            "AiohttpTransport": [],
        }
        for _ in range(args.rounds):
            for name, run in (
                ("aiohttp alone", _aiohttp_run),
                ("AiohttpTransport", _transport_run),
            ):
                results[name].append(asyncio.run(run(url, args.calls, args.concurrency, args.pool)))
    finally:
        server.terminate()
        server.wait()
    print(
        f"{args.calls} calls x {args.rounds} rounds, {args.concurrency} concurrent tasks, "
        f"pool {args.pool}, aiohttp {aiohttp.__version__}, Python {sys.version.split()[0]}"
    )
    per_call = {}
    for name, runs in results.items():
        cpu = statistics.median(c for c, _ in runs) / args.calls * 1e6
        rate = statistics.median(args.calls / w for _, w in runs)
        per_call[name] = cpu
        print(f"  {name:<18} CPU {cpu:7.1f} us/call   {rate:8.0f} calls/s")
    ratio = per_call["AiohttpTransport"] / per_call["aiohttp alone"]
    print(f"  AiohttpTransport / aiohttp alone: {ratio:.2f}x CPU per call")


if __name__ == "__main__":
    main()

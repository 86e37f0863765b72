"""Small fakes for driving the client's steps without a network or real time."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from typing import Any

from account_mgmt import (
    AccountClient,
    FakeClock,
    HttpRequest,
    HttpResponse,
    Runtime,
    Transport,
)

FAKE_ACCESS_KEY = "AKIDFAKETRANSPORT001"
FAKE_ENDPOINT = "https://account.us-east-1.amazonaws.com"


def emulator_runtime() -> Runtime:
    """A runtime on a fake clock whose wall time is now: the emulator checks signatures
    against its real clock (5 minutes of skew), so fake time must start from real time."""
    return Runtime(clock=FakeClock(wall=datetime.datetime.now(datetime.UTC)))


def json_answer(body: dict[str, Any], status: int = 200, error: str | None = None) -> HttpResponse:
    """An answer as the service sends it (an error names its type in ``x-amzn-errortype``)."""
    headers = {"content-type": "application/json"}
    if error is not None:
        headers["x-amzn-errortype"] = error
    return HttpResponse(status_code=status, headers=headers, body=json.dumps(body).encode())


class ScriptedTransport:
    """Answers each request with the next of ``answers`` (the last one repeats);
    an answer may be a callable of the request. Records what was sent."""

    def __init__(
        self, answers: Sequence[HttpResponse | Callable[[HttpRequest], HttpResponse]]
    ) -> None:
        self.answers = list(answers)
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        answer = self.answers[min(len(self.sent), len(self.answers) - 1)]
        self.sent.append(request)
        return answer(request) if callable(answer) else answer

    def close(self) -> None:
        pass

    def operations(self) -> list[str]:
        """The paths sent, in order (``/getRegionOptStatus``...)."""
        return [request.url.removeprefix(FAKE_ENDPOINT) for request in self.sent]


def scripted_client(transport: Transport, runtime: Runtime, **options: Any) -> AccountClient:
    """A client for the global endpoint whose requests go to ``transport``."""
    return AccountClient(
        aws_access_key_id=options.pop("aws_access_key_id", FAKE_ACCESS_KEY),
        aws_secret_access_key="fake-secret",
        region_name="us-east-1",
        runtime=runtime,
        transport=transport,
        rng=lambda: 1.0,
        **options,
    )

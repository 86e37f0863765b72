"""Injected faults: what each kind does, and the plan of which requests they hit."""

from __future__ import annotations

import enum
import random
import threading
from collections import Counter
from typing import Final

import attrs

from account_mgmt.testing import _model
from account_mgmt.testing._world import ApiError


class FaultKind(enum.StrEnum):
    """What an injected fault does to a request."""

    THROTTLE = "throttle"
    """TooManyRequestsException (429; Organizations: 400), before the operation runs."""
    INTERNAL_ERROR = "internal_error"
    """500 InternalServerException (Organizations: ServiceException), before the operation runs."""
    CONCURRENT_MODIFICATION = "concurrent_modification"
    """Organizations: 400 ConcurrentModificationException; Account API: 409
    ConflictException. Before the operation runs."""
    HTML_503 = "html_503"
    """503 with a load balancer's HTML page and no error code."""
    EMPTY_502 = "empty_502"
    """502 with an empty body."""
    TRUNCATED_JSON = "truncated_json"
    """200 whose JSON body is cut in half; the operation does not run."""
    RESET = "reset"
    """The connection is reset before any response byte; the operation does not run."""
    CLOSE_AFTER_PROCESSING = "close_after_processing"
    """The operation runs, then the connection closes without an answer."""
    DELAY = "delay"
    """Wait ``delay`` seconds, then answer normally."""


@attrs.frozen(kw_only=True)
class Fault:
    """One injected fault; ``operation`` None means any operation."""

    kind: FaultKind
    operation: str | None = None
    delay: float = 0.0


_OPERATION_RUNS: Final = frozenset({FaultKind.DELAY, FaultKind.CLOSE_AFTER_PROCESSING})
"""Faults after which the operation still runs."""


class FaultPlan:
    """Faults waiting to fire: the next N matching requests, or a fraction of them."""

    def __init__(self, rng: random.Random) -> None:
        self._lock = threading.Lock()
        self._counted: list[tuple[Fault, int]] = []  # (fault, how many more times)
        self._sampled: list[tuple[Fault, float]] = []
        self._rng = rng
        self._fired: Counter[str] = Counter()

    def add(self, fault: Fault, count: int | None, probability: float | None) -> None:
        with self._lock:
            if probability is not None:
                self._sampled.append((fault, probability))
            elif count is None or count > 0:
                self._counted.append((fault, count if count is not None else 1))

    def clear(self) -> None:
        with self._lock:
            self._counted.clear()
            self._sampled.clear()

    def _count(self, fault: Fault, operation: str) -> None:
        if fault.kind not in _OPERATION_RUNS:
            self._fired[operation] += 1

    def answered(self) -> Counter[str]:
        """Requests a fault answered instead of the operation, per operation (a DELAY
        or a CLOSE_AFTER_PROCESSING runs the operation, and is not counted)."""
        with self._lock:
            return Counter(self._fired)

    def reset_answered(self) -> None:
        with self._lock:
            self._fired.clear()

    def take(self, operation: str) -> Fault | None:
        with self._lock:
            for index, (fault, remaining) in enumerate(self._counted):
                if fault.operation in (None, operation):
                    if remaining > 1:
                        self._counted[index] = (fault, remaining - 1)
                    else:
                        del self._counted[index]
                    self._count(fault, operation)
                    return fault
            for fault, probability in self._sampled:
                if fault.operation in (None, operation) and self._rng.random() < probability:
                    self._count(fault, operation)
                    return fault
        return None


def fault_error(kind: FaultKind, service: str) -> ApiError:
    """The error an injected THROTTLE, INTERNAL_ERROR or CONCURRENT_MODIFICATION answers."""
    organizations = service == _model.ORGANIZATIONS
    if kind is FaultKind.THROTTLE:
        return ApiError("TooManyRequestsException", 429, "Rate exceeded")
    if kind is FaultKind.INTERNAL_ERROR:
        if organizations:
            return ApiError("ServiceException", 500, "AWS Organizations can't complete your "
                            "request because of an internal service error.")  # fmt: skip
        return ApiError("InternalServerException", 500, "Internal failure")
    if organizations:
        return ApiError(
            "ConcurrentModificationException",
            400,
            "The target of the operation is currently being modified by a different request.",
        )
    return ApiError("ConflictException", 409, "The request conflicts with a concurrent change.")

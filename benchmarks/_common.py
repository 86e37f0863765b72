"""Shared set-up for the benchmarks: an emulator and equivalent boto3 / account_mgmt clients."""

from __future__ import annotations

import statistics
from typing import Any

import boto3
import botocore.config

from account_mgmt.testing import AccountEmulator


def boto3_client(emulator: AccountEmulator, *, max_attempts: int = 3, pool: int = 10) -> Any:
    credentials = emulator.credentials_for()
    return boto3.client(
        "account",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        config=botocore.config.Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            max_pool_connections=pool,
        ),
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values: list[float]) -> tuple[float, float]:
    """(median, p99) in milliseconds."""
    return statistics.median(values) * 1000, percentile(values, 0.99) * 1000

"""Per-client rate limits for the intake API: a token bucket per client that allows bursts.

Each client (a remote address, and separately each intake key) may send up to
TRACKER_INTAKE_PER_MINUTE requests in a burst; the bucket then refills at that rate per
minute. Over the limit the answer is 429 with Retry-After. Buckets live in memory, per process.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, now: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.now = now
        self.max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def take(self, client: str) -> float:
        """Spend one token for `client`: 0.0 if allowed, else the seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self.now()
        bucket = self._buckets.get(client)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: a bucket that has refilled completely carries no state."""
        if len(self._buckets) < self.max_clients:
            return
        full_after = self.capacity / self.rate
        for key in [k for k, b in self._buckets.items() if now - b.updated >= full_after]:
            del self._buckets[key]
        if len(self._buckets) >= self.max_clients:  # still full: drop the oldest
            oldest = min(self._buckets, key=lambda k: self._buckets[k].updated)
            del self._buckets[oldest]


INTAKE_LIMITER: web.AppKey[RateLimiter] = web.AppKey("intake_limiter")


def too_many(wait: float) -> web.Response:
    seconds = max(1, math.ceil(wait))
    return web.json_response(
        {"error": f"Too many requests from this client. Try again in {seconds} seconds."},
        status=429, headers={"Retry-After": str(seconds)})


def limit(request: web.Request, client: str) -> web.Response | None:
    """A 429 response if `client` is over its limit, else None. No limiter set: no limit."""
    limiter = request.app.get(INTAKE_LIMITER)
    if limiter is None:
        return None
    wait = limiter.take(client)
    return too_many(wait) if wait > 0 else None


def address_of(request: web.Request) -> str:
    return "addr:" + (request.remote or "unknown")


def key_client(key: str) -> str:
    """A bucket name for an API key that never holds the key itself."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]

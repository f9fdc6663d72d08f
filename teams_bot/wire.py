"""Bot Connector v3 REST over one shared aiohttp session, with activities turned into JSON directly.

Profiling the bot showed msrest (the retired library under botbuilder) costing most of its CPU:
its serializer walks every node of an Adaptive Card one typed call at a time, and its 'async'
client sends each request with `requests` in a thread pool. `to_wire` produces the same JSON from
the schema's attribute maps in one pass, and `Connector` sends it the way the ideal bot does.
Authentication is unchanged: the token comes from the same app credentials botbuilder uses.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import quote

import aiohttp
from msrest.serialization import Model

TRANSIENT = frozenset({408, 412, 429, 500, 502, 503, 504})
TOKEN_REUSE = 300.0  # seconds; msal refreshes well before a token expires


class SendError(Exception):
    """A failed Bot Connector call. `permanent` errors are never retried."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}: {message}" if status else message)

    @property
    def permanent(self) -> bool:
        return self.status not in TRANSIENT and self.status != 0


def to_wire(value: Any) -> Any:
    """The JSON msrest would send for a botbuilder schema object (or any nesting of them)."""
    if isinstance(value, Model):
        out: dict[str, Any] = {}
        for attr, info in type(value)._attribute_map.items():
            v = getattr(value, attr, None)
            if v is not None:
                out[info["key"]] = to_wire(v)
        return out
    if isinstance(value, dict):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        ms = str(utc.microsecond).rjust(6, "0").rstrip("0").ljust(3, "0")
        return f"{utc:%Y-%m-%dT%H:%M:%S}.{ms}Z"
    return value


def path(conversation_id: str, activity_id: str | None = None) -> str:
    base = f"v3/conversations/{quote(conversation_id, safe='')}/activities"
    return base if activity_id is None else f"{base}/{quote(activity_id, safe='')}"


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class Connector:
    """POST/PUT to Bot Connector. `credentials` is botbuilder's AppCredentials for the call
    (None, or one without an app id, in local mode: no Authorization header); `limit` is the
    call's timeout in seconds."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._tokens: dict[int, tuple[str, float]] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100),
                headers={"User-Agent": "SafeguardingTracker (BotBuilder Python/4.17)"})
        return self._session

    async def _auth(self, credentials: Any) -> dict[str, str]:
        if credentials is None or not getattr(credentials, "microsoft_app_id", None):
            return {}
        cached = self._tokens.get(id(credentials))
        if cached is None or time.monotonic() - cached[1] > TOKEN_REUSE:
            token = await asyncio.to_thread(credentials.get_access_token)
            cached = (token, time.monotonic())
            self._tokens[id(credentials)] = cached
        return {"Authorization": f"Bearer {cached[0]}"}

    async def call(self, method: str, service_url: str, url_path: str, body: Any,
                   credentials: Any = None, limit: float | None = None) -> dict[str, Any]:
        url = service_url.rstrip("/") + "/" + url_path
        try:
            headers = await self._auth(credentials)
            async with self._client().request(
                    method, url, json=body, headers=headers,
                    timeout=aiohttp.ClientTimeout(total=limit or self.timeout)) as r:
                data = await r.json(content_type=None) if r.content_length != 0 else None
                if r.status >= 400:
                    raise SendError(r.status, _message(data),
                                    _retry_after(r.headers.get("Retry-After")))
                return data if isinstance(data, dict) else {}
        except SendError:
            raise
        except (aiohttp.ClientError, TimeoutError, ValueError, OSError) as e:
            raise SendError(0, f"network error: {type(e).__name__}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _message(data: Any) -> str:
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return f"({error.get('code', 'Error')}) {error.get('message', '')}"[:300]
    return "no details"

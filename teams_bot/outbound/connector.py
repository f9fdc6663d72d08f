"""Bot Connector v3 REST over one shared aiohttp session: every call the bot makes to Teams.

Activities are plain dicts, sent as JSON the way the ideal aiohttp bot sends them (profiling
showed msrest, the retired library under botbuilder, costing most of the bot's CPU). The bearer
token comes from the running SDK edge (teams_bot/edge.py), which caches it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp

TRANSIENT = frozenset({408, 412, 429, 500, 502, 503, 504})
Tokens = Callable[[str], Awaitable[str | None]]  # service URL -> bearer token (None: local)


async def no_token(service_url: str) -> str | None:
    return None


class SendError(Exception):
    """A failed Bot Connector call. `permanent` errors are never retried."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}: {message}" if status else message)

    @property
    def permanent(self) -> bool:
        return self.status not in TRANSIENT and self.status != 0


def path(conversation_id: str, activity_id: str | None = None) -> str:
    base = f"v3/conversations/{quote(conversation_id, safe='')}/activities"
    return base if activity_id is None else f"{base}/{quote(activity_id, safe='')}"


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class Connector:
    """GET/POST/PUT to Bot Connector with the edge's token; `limit` is a call's timeout in
    seconds."""

    def __init__(self, tokens: Tokens = no_token, timeout: float = 30.0) -> None:
        self.tokens = tokens
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100),
                headers={"User-Agent": "SafeguardingTracker"})
        return self._session

    async def _auth(self, service_url: str) -> dict[str, str]:
        try:
            token = await self.tokens(service_url)
        except Exception as e:  # the identity platform is down or refused: retried later
            raise SendError(0, f"could not get a token ({type(e).__name__})") from None
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def call(self, method: str, service_url: str, url_path: str, body: Any = None,
                   limit: float | None = None) -> dict[str, Any]:
        url = service_url.rstrip("/") + "/" + url_path
        try:
            headers = await self._auth(service_url)
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

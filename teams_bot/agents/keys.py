"""The channel's signing keys, fetched in a worker thread and cached.

The SDK asks for a key with `get_signing_key(jwks_uri, header)`; ChannelKeys answers it. With
TRACKER_OPENID_METADATA_URL set (tests, other clouds) the keys come from that metadata's
jwks_uri whatever the SDK routed to; otherwise from the URI the SDK chose (Microsoft's).
A failure to fetch is KeysUnavailable (our fault, a 503); a key id nobody publishes is the
sender's problem (UnknownKey, a 401).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from jwt import PyJWK
from jwt.exceptions import PyJWKError

from teams_bot.edge import KeysUnavailable

log = logging.getLogger("sgtracker.auth")

KEYS_TTL = 24 * 3600.0  # Microsoft rolls keys with weeks of overlap
REFRESH_GAP = 300.0  # an unknown key id refetches at most this often (no fetch amplification)
TIMEOUT = 10.0


class UnknownKey(ValueError):
    """No published key has this id (or the header names none)."""


_Found = tuple[PyJWK, tuple[str, ...] | None]  # a key and the channels it is endorsed for


@dataclass
class _Keys:
    keys: dict[str, _Found] = field(default_factory=dict)
    fetched_at: float = -1e18
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _get_json(url: str) -> dict[str, Any]:
    """Blocking: only ever called in a worker thread."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("not an http(s) URL")
    with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:  # noqa: S310 (scheme checked)
        data = json.load(resp)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _parse(jwks: dict[str, Any]) -> dict[str, _Found]:
    out = {}
    for jwk in jwks.get("keys") or []:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str) \
                or jwk.get("use", "sig") != "sig":
            continue
        try:
            key = PyJWK(jwk)
        except PyJWKError:
            continue  # a key type we cannot use: skip it, keep the others
        ends = jwk.get("endorsements")
        out[jwk["kid"]] = (key, tuple(ends) if isinstance(ends, list) else None)
    return out


class KeySet:
    """Signing keys per JWKS URI, shared by every request of one app."""

    def __init__(self, metadata_url: str = "") -> None:
        self.metadata_url = metadata_url
        self._jwks_uri = ""  # from the metadata, once fetched
        self._sets: dict[str, _Keys] = {}
        self._meta_lock = asyncio.Lock()

    def for_channel(self, channel_id: str) -> ChannelKeys:
        return ChannelKeys(self, channel_id)

    async def key(self, jwks_uri: str, header: dict[str, Any]) -> _Found:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise UnknownKey("no key id")
        return await self._lookup(await self._uri(jwks_uri), kid)

    async def _uri(self, routed: str) -> str:
        if not self.metadata_url:
            return routed
        async with self._meta_lock:
            if not self._jwks_uri:
                try:
                    meta = await asyncio.to_thread(_get_json, self.metadata_url)
                except Exception as e:  # any network or parse failure: our side, a 503
                    log.error("could not fetch the OpenID metadata (%s)", type(e).__name__)
                    raise KeysUnavailable("OpenID metadata unavailable") from None
                uri = meta.get("jwks_uri")
                if not isinstance(uri, str) or not uri:
                    log.error("the OpenID metadata has no jwks_uri")
                    raise KeysUnavailable("OpenID metadata without jwks_uri")
                self._jwks_uri = uri
            return self._jwks_uri

    async def _lookup(self, uri: str, kid: str) -> _Found:
        entry = self._sets.setdefault(uri, _Keys())
        async with entry.lock:
            age = time.monotonic() - entry.fetched_at
            if age > KEYS_TTL or (kid not in entry.keys and age > REFRESH_GAP):
                await self._refresh(uri, entry)
        if kid not in entry.keys:
            raise UnknownKey("no published key has this id")
        return entry.keys[kid]

    async def _refresh(self, uri: str, entry: _Keys) -> None:
        try:
            keys = _parse(await asyncio.to_thread(_get_json, uri))
        except Exception as e:  # any network or parse failure
            if entry.keys:  # keep serving the keys we have; try again after REFRESH_GAP
                log.warning("could not refresh the signing keys (%s); using cached ones",
                            type(e).__name__)
                entry.fetched_at = time.monotonic() - KEYS_TTL + REFRESH_GAP
                return
            log.error("could not fetch the signing keys (%s)", type(e).__name__)
            raise KeysUnavailable("signing keys unavailable") from None
        entry.keys, entry.fetched_at = keys, time.monotonic()


class ChannelKeys:
    """The SDK's key lookup for one activity: Bot Framework keys list the channels they sign
    for, and a key not endorsed for the activity's channel is refused (as botbuilder does)."""

    def __init__(self, keys: KeySet, channel_id: str) -> None:
        self.keys, self.channel_id = keys, channel_id

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        key, endorsements = await self.keys.key(jwks_uri, header)
        if self.channel_id and endorsements is not None and self.channel_id not in endorsements:
            raise UnknownKey("the key is not endorsed for this channel")
        return key

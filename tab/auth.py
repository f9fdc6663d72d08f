"""Who is asking: a Teams SSO token checked like any access token for our API, or, in local
mode only, the person picked in the try-out. Every failure is None (the caller answers 401)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from tracker.model import Actor

from .config import SCOPE, TabConfig

log = logging.getLogger("sgtracker.tab")
METADATA_TTL = 24 * 3600
_AAD_ID = re.compile(r"^[0-9A-Za-z._:@-]{1,80}$")


@dataclass(frozen=True)
class Claims:
    oid: str
    name: str
    upn: str


class TokenCheck:
    """Signature by the tenant's keys (OpenID metadata -> JWKS), issuer, `tid`, audience,
    expiry and the `access_as_user` scope. PyJWT fetches keys synchronously: run in a thread."""

    def __init__(self, config: TabConfig) -> None:
        self.config = config
        self._jwks: jwt.PyJWKClient | None = None
        self._fetched = 0.0

    async def claims(self, authorization: str) -> Claims | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or self.config.local_mode \
                or not self.config.tenant_id:
            return None
        try:
            return await asyncio.to_thread(self._check, token.strip())
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as e:
            log.info("tab sign-in refused: %s", type(e).__name__)
            return None
        except OSError as e:  # the tenant's keys could not be fetched
            log.error("tab sign-in: could not fetch the signing keys: %s", type(e).__name__)
            return None

    def _keys(self) -> jwt.PyJWKClient:
        if self._jwks is None or time.monotonic() - self._fetched > METADATA_TTL:
            with urllib.request.urlopen(self.config.openid_metadata, timeout=10) as r:  # noqa: S310
                meta = json.loads(r.read())
            self._jwks = jwt.PyJWKClient(meta["jwks_uri"], cache_keys=True, lifespan=METADATA_TTL)
            self._fetched = time.monotonic()
        return self._jwks

    def _check(self, token: str) -> Claims:
        if jwt.get_unverified_header(token).get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("only RS256 tokens are accepted")
        key = self._keys().get_signing_key_from_jwt(token)
        c: dict[str, Any] = jwt.decode(
            token, key.key, algorithms=["RS256"], audience=list(self.config.audiences),
            issuer=list(self.config.issuers), leeway=30,
            options={"require": ["exp", "iat", "iss", "aud", "tid", "oid"]})
        if c["tid"] != self.config.tenant_id:
            raise jwt.InvalidTokenError("another tenant")
        if SCOPE not in str(c.get("scp", "")).split():
            raise jwt.InvalidTokenError("no access_as_user scope")
        oid = str(c["oid"])
        if not _AAD_ID.match(oid):
            raise jwt.InvalidTokenError("bad oid")
        return Claims(oid, str(c.get("name", "")), str(c.get("preferred_username", "")))


def local_as(config: TabConfig, value: str) -> str | None:
    """The AAD object id picked in the local try-out; None outside local mode."""
    value = value.strip()
    if not config.local_mode or not _AAD_ID.match(value):
        return None
    return value


def actor_for(claims: Claims, teams_id: str = "", name: str = "") -> Actor:
    return Actor(teams_id=teams_id, aad_id=claims.oid, name=claims.name or name, upn=claims.upn)

"""Short-lived signed export links: the token says who asked, for which locality, until when.

The token is `<payload>.<signature>`: the payload is base64url JSON, the signature HMAC-SHA256
with TRACKER_EXPORT_SECRET. Whoever holds a link can download for its few minutes, and what
they get is still checked against the asker's roles at download time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from teams_bot.services import Services
from tracker.model import Actor

LIFETIME = timedelta(minutes=15)
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportGrant:
    aad_id: str
    name: str
    locality: str  # "" = everything the asker may export
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def make_token(secret: str, actor: Actor, locality: str, now: datetime) -> str:
    body = {"a": actor.aad_id, "n": actor.name, "l": locality,
            "e": int((now + LIFETIME).timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_token(secret: str, token: str, now: datetime) -> ExportGrant | None:
    """The grant in a genuine, unexpired token; None for anything else."""
    if not token.isascii():  # ours are base64url: anything else is not one of ours
        return None
    payload, _, signature = token.partition(".")
    if not payload or not signature or not hmac.compare_digest(signature,
                                                               _sign(secret, payload)):
        return None
    try:
        body = json.loads(_unb64(payload))
        expires = datetime.fromtimestamp(int(body["e"]), tz=now.tzinfo)
        grant = ExportGrant(str(body["a"]), str(body.get("n", "")), str(body["l"]), expires)
    except (ValueError, KeyError, TypeError):
        return None
    return grant if grant.aad_id and now < expires else None


def export_links(services: Services, actor: Actor, locality: str) -> tuple[str, str, int]:
    """(CSV link, XLSX link, minutes they last) for `actor`."""
    token = make_token(services.settings.export_secret, actor, locality, services.clock.now())
    base = services.settings.base_url
    return (f"{base}/export/{token}.csv", f"{base}/export/{token}.xlsx",
            int(LIFETIME.total_seconds() // 60))

"""The SDK's JwtTokenValidator, with its key lookup answered by our KeySet.

JwtTokenValidator.validate_token does the checks (RS256 only, signature, expiry with the SDK's
5 minute leeway, audience = our app id, issuer allow-list when VALIDATE_ISSUER, tenant binding).
It asks `self._jwk_client_manager.get_signing_key(jwks_uri, header)` for the key; that hook
is answered here by a read-only property on our subclass (nothing in the SDK is written to),
so keys are fetched off the event loop, cached, from TRACKER_OPENID_METADATA_URL when set.
If a later SDK renames the hook, keys would silently come from Microsoft again: `check_hook`
(called when the edge is built) makes that a start-up error instead.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.hosting.core import AgentAuthConfiguration, JwtTokenValidator

from teams_bot.agents.keys import ChannelKeys

HOOK = "_jwk_client_manager"


def check_hook() -> None:
    """Fail at start-up, loudly, if the SDK no longer looks keys up where we answer."""
    base = getattr(JwtTokenValidator, HOOK, None)
    if not callable(getattr(base, "get_signing_key", None)):
        raise RuntimeError(f"microsoft_agents JwtTokenValidator has no {HOOK}.get_signing_key "
                           "any more: teams_bot/agents/validator.py needs updating.")


class ChannelTokenValidator(JwtTokenValidator):
    """One per activity (cheap: the keys are cached in the shared KeySet)."""

    def __init__(self, configuration: AgentAuthConfiguration, keys: ChannelKeys) -> None:
        super().__init__(configuration)
        self.keys = keys

    @property  # the SDK's class-wide key cache, answered by ours for this validator
    def _jwk_client_manager(self) -> Any:  # type: ignore[override]
        return self.keys

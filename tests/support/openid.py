"""A local stand-in for Bot Framework's token service: an RSA key the test controls, an OpenID
metadata document and a JWKS on a free port, and tokens minted the way Teams' channel signs them.

The server runs in its own thread: botbuilder fetches the metadata with blocking `requests`
calls from inside the event loop, so a server on that same loop could never answer.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class KeyServer:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    endorsements: tuple[str, ...] = ("msteams",)
    fetches: int = 0
    delay: float = 0.0  # seconds each answer waits (a slow key server)
    _server: ThreadingHTTPServer | None = None

    @property
    def metadata_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1/.well-known/openidconfiguration"

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", endorsements=list(self.endorsements))
        return {"keys": [jwk]}

    def start(self) -> KeyServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                outer.fetches += 1
                time.sleep(outer.delay)
                base = outer.metadata_url.rsplit("/v1/", 1)[0]
                if self.path.endswith("openidconfiguration"):
                    body = {"issuer": ISSUER, "jwks_uri": f"{base}/v1/keys",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path.endswith("/keys"):
                    body = outer.jwks()
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def token(self, *, audience: str, service_url: str, key: rsa.RSAPrivateKey | None = None,
              issuer: str = ISSUER, expires_in: int = 3600, kid: str | None = None) -> str:
        """A channel token as Teams sends it: `aud` is our app id, `serviceurl` the sender."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "serviceurl": service_url,
                  "nbf": now - 60, "iat": now - 60, "exp": now + expires_in}
        return jwt.encode(claims, key or self.key, algorithm="RS256",
                          headers={"kid": kid or self.kid})


def entra_issuer(tenant: str) -> str:
    return f"https://login.microsoftonline.com/{tenant}/v2.0"


def user_token(server: KeyServer, *, audience: str, tenant: str, oid: str, name: str = "",
               scp: str = "access_as_user", expires_in: int = 3600,
               issuer: str | None = None, key: rsa.RSAPrivateKey | None = None) -> str:
    """A Teams SSO token as Entra ID issues it to a tab (`getAuthToken`), for user `oid`."""
    now = int(time.time())
    claims = {"iss": issuer or entra_issuer(tenant), "aud": audience, "tid": tenant, "oid": oid,
              "name": name, "preferred_username": f"{oid}@example.nhs.uk", "scp": scp,
              "nbf": now - 60, "iat": now - 60, "exp": now + expires_in, "ver": "2.0"}
    return jwt.encode(claims, key or server.key, algorithm="RS256", headers={"kid": server.kid})

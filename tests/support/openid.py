"""A local stand-in for Bot Framework's token service: an RSA key the test controls, an OpenID
metadata document and a JWKS on a free port, and tokens minted the way Teams' channel signs them.

The server runs in its own thread: botbuilder fetches the metadata with blocking `requests`
calls from inside the event loop, so a server on that same loop could never answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
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


def bad_tokens(keys: KeyServer, app_id: str, service_url: str) -> dict[str, str]:
    """Every kind of token an edge must refuse, by why, for bot `app_id` at `service_url`."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": app_id, "serviceurl": service_url,
              "nbf": now - 60, "exp": now + 3600}
    public_pem = keys.key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "signed by a key the channel does not publish": keys.token(
            audience=app_id, service_url=service_url, key=new_key()),
        "for another bot": keys.token(audience="another-app-id", service_url=service_url),
        "for another service URL": keys.token(audience=app_id, service_url="https://evil.test/"),
        "expired": keys.token(audience=app_id, service_url=service_url, expires_in=-3600),
        "with an unknown key id": keys.token(audience=app_id, service_url=service_url,
                                             kid="nope"),
        "from another issuer": keys.token(audience=app_id, service_url=service_url,
                                          issuer="https://login.example.test"),
        "from another tenant's Entra ID": keys.token(
            audience=app_id, service_url=service_url,
            issuer=entra_issuer("11111111-2222-3333-4444-555555555555")),
        "unsigned (alg none)": jwt.encode(claims, None, algorithm="none",
                                          headers={"kid": keys.kid}),
        "unsigned without a key id": jwt.encode(claims, None, algorithm="none"),
        "HMAC-signed with the public key": _hmac_with(public_pem, claims, keys.kid),
        "that is not a JWT": "not-a-token",
        "that is three dots": "a.b.c",
    }


def _hmac_with(secret: bytes, claims: dict[str, Any], kid: str) -> str:
    """The old algorithm-confusion attack; PyJWT refuses to sign it, so build it by hand."""
    def b64(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"

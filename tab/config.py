"""What the tab needs to know about its deployment, filled in by whoever mounts it."""

from __future__ import annotations

from dataclasses import dataclass

ENTRA_METADATA = "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"
SCOPE = "access_as_user"
TEAMS_ORIGINS = ("https://teams.microsoft.com", "https://*.teams.microsoft.com",
                 "https://*.cloud.microsoft")


@dataclass(frozen=True)
class TabConfig:
    app_id: str  # "" = local mode: no sign-in, the try-out picker instead (loopback only)
    tenant_id: str
    host: str  # public host (and port) of the server: the SSO audience is api://<host>/<app id>
    metadata_url: str = ""  # OpenID metadata of the tenant; "" = Entra ID's public cloud

    @property
    def local_mode(self) -> bool:
        return not self.app_id

    @property
    def audiences(self) -> tuple[str, ...]:
        """`aud` of a Teams SSO token: the Application ID URI (v1 tokens) or the app id (v2)."""
        return (f"api://{self.host}/{self.app_id}", self.app_id)

    @property
    def issuers(self) -> tuple[str, ...]:
        t = self.tenant_id
        return (f"https://login.microsoftonline.com/{t}/v2.0", f"https://sts.windows.net/{t}/")

    @property
    def openid_metadata(self) -> str:
        return self.metadata_url or ENTRA_METADATA.format(tenant=self.tenant_id)

"""All configuration comes from the environment, read here and nowhere else."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DB = "sqlite+aiosqlite:///" + str(Path("var") / "tracker.db")
SDKS = ("botbuilder", "agents")  # TRACKER_SDK: teams_bot/botframework/ or teams_bot/agents/


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the fix."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 3978
    database_url: str = DEFAULT_DB
    intake_api_key: str = ""
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "SingleTenant"
    app_tenant_id: str = ""
    env: str = "development"
    admins: tuple[str, ...] = ()
    tick_seconds: float = 60.0
    working_hours: tuple[time, time] | None = (time(8, 0), time(18, 0))
    ack_reminder_minutes: float = 30.0
    ack_escalate_minutes: float = 60.0
    thread_rps: float = 7.0
    tenant_rps: float = 50.0
    intake_per_minute: int = 120
    public_url: str = ""
    max_body_bytes: int = 256 * 1024
    delivery_poll_seconds: float = 1.0
    outbox_lease_seconds: float = 30.0  # a dead instance's outbox rows come back after this
    openid_metadata_url: str = ""  # tests and sovereign clouds only; "" = Microsoft's public cloud
    entra_metadata_url: str = ""  # the tab's SSO tokens: tests and sovereign clouds only
    sdk: str = "botbuilder"  # which SDK edge checks inbound tokens and gets ours (SDKS)
    # Signs export links. Unset = a random secret per process (links then work only on the
    # instance that made them), so set it when running more than one instance.
    export_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @property
    def local_mode(self) -> bool:
        """No app id: inbound auth is off. Only for a laptop, on a loopback address."""
        return not self.app_id

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def tab_host(self) -> str:
        """Host (and port) of the public URL: the tab's SSO audience is api://<host>/<app id>."""
        return urlsplit(self.base_url).netloc

    @property
    def tab_host_for_package(self) -> str:
        from manifest.build import DEFAULT_HOST

        return self.tab_host if self.public_url else DEFAULT_HOST

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        try:
            return cls(
                host=e.get("HOST", "127.0.0.1"),
                port=int(e.get("PORT", "3978")),
                database_url=e.get("DATABASE_URL") or DEFAULT_DB,
                intake_api_key=e.get("INTAKE_API_KEY", ""),
                app_id=e.get("MicrosoftAppId", "").strip(),
                app_password=e.get("MicrosoftAppPassword", ""),
                app_type=e.get("MicrosoftAppType", "") or "SingleTenant",
                app_tenant_id=e.get("MicrosoftAppTenantId", "").strip(),
                env=e.get("TRACKER_ENV", "development").strip().lower(),
                admins=tuple(a.strip() for a in e.get("TRACKER_ADMINS", "").split(",")
                             if a.strip()),
                tick_seconds=float(e.get("TRACKER_TICK_SECONDS", "60")),
                working_hours=_hours(e.get("TRACKER_WORKING_HOURS", "08:00-18:00")),
                ack_reminder_minutes=float(e.get("TRACKER_ACK_REMINDER_MINUTES", "30")),
                ack_escalate_minutes=float(e.get("TRACKER_ACK_ESCALATE_MINUTES", "60")),
                thread_rps=float(e.get("TRACKER_THREAD_RPS", "7")),
                tenant_rps=float(e.get("TRACKER_TENANT_RPS", "50")),
                outbox_lease_seconds=float(e.get("TRACKER_OUTBOX_LEASE_SECONDS", "30")),
                intake_per_minute=int(e.get("TRACKER_INTAKE_PER_MINUTE", "120")),
                public_url=e.get("TRACKER_PUBLIC_URL", ""),
                openid_metadata_url=e.get("TRACKER_OPENID_METADATA_URL", "").strip(),
                entra_metadata_url=e.get("TRACKER_ENTRA_METADATA_URL", "").strip(),
                sdk=_sdk(e.get("TRACKER_SDK", "")),
                export_secret=e.get("TRACKER_EXPORT_SECRET", "").strip()
                or secrets.token_urlsafe(32),
            )
        except ValueError as err:
            raise ConfigError(f"A number setting is not a number: {err}") from None

    def problems(self) -> list[str]:
        """Why this configuration must not start; empty when it may."""
        out = []
        if self.sdk not in SDKS:
            out.append(f"TRACKER_SDK must be agents or botbuilder, not {self.sdk!r}.")
        if self.local_mode and not _loopback(self.host):
            out.append(f"Local mode (no MicrosoftAppId) only binds a loopback address, not "
                       f"HOST={self.host}. Set MicrosoftAppId, or HOST=127.0.0.1.")
        if self.production:
            if not self.app_id:
                out.append("TRACKER_ENV=production needs MicrosoftAppId (the Azure Bot's app id).")
            if self.app_type.lower() != "userassignedmsi" and not self.app_password:
                out.append("TRACKER_ENV=production needs MicrosoftAppPassword, or "
                           "MicrosoftAppType=UserAssignedMSI for a managed identity.")
            if not self.app_tenant_id:
                out.append("TRACKER_ENV=production needs MicrosoftAppTenantId (your tenant id).")
            if self.app_type.lower() not in ("singletenant", "userassignedmsi"):
                out.append("TRACKER_ENV=production needs MicrosoftAppType=SingleTenant or "
                           "UserAssignedMSI (multi-tenant bots can no longer be created).")
            if self.database_url.startswith("sqlite"):
                out.append("TRACKER_ENV=production needs PostgreSQL: set DATABASE_URL="
                           "postgresql+asyncpg://user:password@host:5432/dbname.")
            if not self.intake_api_key:
                out.append("TRACKER_ENV=production needs INTAKE_API_KEY (a long random secret "
                           "for POST /api/incidents).")
        return out

    def masked(self) -> dict[str, str]:
        """The effective configuration for the start-up log, secrets masked."""
        def mask(v: str) -> str:
            return "(not set)" if not v else "****" + v[-2:] if len(v) > 8 else "****"
        hours = "always" if self.working_hours is None else \
            f"{self.working_hours[0]:%H:%M}-{self.working_hours[1]:%H:%M}"
        return {
            "HOST": self.host, "PORT": str(self.port),
            "DATABASE_URL": _mask_url(self.database_url),
            "INTAKE_API_KEY": mask(self.intake_api_key), "MicrosoftAppId": self.app_id or "(local)",
            "MicrosoftAppPassword": mask(self.app_password), "MicrosoftAppType": self.app_type,
            "MicrosoftAppTenantId": self.app_tenant_id or "(not set)", "TRACKER_ENV": self.env,
            "TRACKER_ADMINS": f"{len(self.admins)} configured",
            "TRACKER_TICK_SECONDS": str(self.tick_seconds), "TRACKER_WORKING_HOURS": hours,
            "TRACKER_THREAD_RPS": str(self.thread_rps), "TRACKER_TENANT_RPS": str(self.tenant_rps),
            "TRACKER_OUTBOX_LEASE_SECONDS": str(self.outbox_lease_seconds),
            "TRACKER_INTAKE_PER_MINUTE": str(self.intake_per_minute),
            "TRACKER_OPENID_METADATA_URL": self.openid_metadata_url or "(Microsoft public cloud)",
            "TRACKER_ENTRA_METADATA_URL": self.entra_metadata_url or "(Entra ID public cloud)",
            "TRACKER_SDK": self.sdk,
            "TRACKER_EXPORT_SECRET": mask(self.export_secret),
        }


def _sdk(text: str) -> str:
    name = text.strip().lower() or "botbuilder"
    if name not in SDKS:
        raise ConfigError(f"TRACKER_SDK must be agents (the Microsoft 365 Agents SDK) or "
                          f"botbuilder (the retired Bot Framework SDK), not {text.strip()!r}.")
    return name


def _hours(text: str) -> tuple[time, time] | None:
    if text.strip().lower() == "always":
        return None
    try:
        start, end = (time.fromisoformat(p.strip()) for p in text.split("-"))
    except ValueError:
        raise ConfigError("TRACKER_WORKING_HOURS must look like 08:00-18:00, or 'always'.") \
            from None
    return start, end


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _mask_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}"

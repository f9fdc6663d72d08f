"""Build the Teams app manifest and the app package (manifest.json + two icons in a zip).

The command menu (``bots[0].commandLists``) is generated from the bot's command registry, which
the caller passes in as ``CommandInfo`` objects; this module never imports the bot.
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "manifest.template.json"
ICONS = ("color.png", "outline.png")

MANIFEST_VERSION = "1.30"
"""Newest stable Teams manifest schema bundled by @microsoft/app-manifest 1.1.2."""

BOT_SCOPES = ("team", "groupChat", "personal")
"""Scopes a command may name, in the order the command lists are written."""

MAX_COMMANDS_PER_LIST = 12
MAX_COMMAND_TITLE = 128
MAX_COMMAND_DESCRIPTION = 4000
"""Limits of ``bots[].commandLists[].commands[]`` in the v1.30 schema (v1.20 and older: 32/128)."""

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+(?::\d{{1,5}})?$")
DEFAULT_HOST = "tracker.example.nhs.uk"
"""Where `sgtracker serve` is reached over HTTPS; the tabs and the SSO resource live there."""
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


class CommandInfo(Protocol):
    """What the manifest needs to know about one bot command."""

    @property
    def title(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def scopes(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class Developer:
    """The publisher block of the manifest. Each ICB fills in its own name and pages."""

    name: str = "Your ICB"
    website_url: str = "https://example.nhs.uk"
    privacy_url: str = "https://example.nhs.uk/privacy"
    terms_url: str = "https://example.nhs.uk/terms"

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 32:
            raise ValueError(f"developer name must be 1 to 32 characters, got {self.name!r}")
        for label, url in (
            ("website", self.website_url),
            ("privacy", self.privacy_url),
            ("terms of use", self.terms_url),
        ):
            if not url.startswith("https://") or len(url) > 2048:
                raise ValueError(f"developer {label} URL must be an https:// URL, got {url!r}")


DEFAULT_DEVELOPER = Developer()


def add_developer_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--developer-name``, ``--developer-url``, ``--privacy-url`` and ``--terms-url``."""
    d = DEFAULT_DEVELOPER
    parser.add_argument("--developer-name", default=d.name, help="publisher name (max 32)")
    parser.add_argument("--developer-url", default=d.website_url, help="publisher website")
    parser.add_argument("--privacy-url", default=d.privacy_url, help="privacy notice URL")
    parser.add_argument("--terms-url", default=d.terms_url, help="terms of use URL")


def developer_from_args(args: argparse.Namespace) -> Developer:
    return Developer(
        name=args.developer_name,
        website_url=args.developer_url,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
    )


def _check_command(command: CommandInfo) -> None:
    title, description = command.title, command.description
    if not title.strip():
        raise ValueError("a command has an empty title")
    if len(title) > MAX_COMMAND_TITLE:
        raise ValueError(
            f"command title {title[:40]!r}... is {len(title)} characters; "
            f"the Teams manifest allows at most {MAX_COMMAND_TITLE}"
        )
    if len(description) > MAX_COMMAND_DESCRIPTION:
        raise ValueError(
            f"description of command {title!r} is {len(description)} characters; "
            f"the Teams manifest allows at most {MAX_COMMAND_DESCRIPTION}"
        )
    if not command.scopes:
        raise ValueError(f"command {title!r} has no scopes")
    unknown = set(command.scopes) - set(BOT_SCOPES)
    if unknown:
        raise ValueError(
            f"command {title!r} has unknown scopes {sorted(unknown)}; "
            f"allowed: {', '.join(BOT_SCOPES)}"
        )


def command_lists(commands: Sequence[CommandInfo]) -> list[dict[str, Any]]:
    """One command list per group of scopes that show the same commands.

    Each scope gets the commands that name it, in the given order. More than 12 for a scope (the
    schema's limit) is refused: the caller chooses which 12 (teams_bot/commands/menu.py).
    Scopes that end up with identical lists share one entry.
    """
    for command in commands:
        _check_command(command)
    groups: list[tuple[list[str], list[dict[str, str]]]] = []
    for scope in BOT_SCOPES:
        entries = [
            {"title": c.title, "description": c.description} for c in commands if scope in c.scopes
        ]
        if len(entries) > MAX_COMMANDS_PER_LIST:
            raise ValueError(
                f"{len(entries)} commands for scope {scope}; a Teams command list holds at most "
                f"{MAX_COMMANDS_PER_LIST}: choose which ones the menu offers"
            )
        if not entries:
            continue
        for scopes, existing in groups:
            if existing == entries:
                scopes.append(scope)
                break
        else:
            groups.append(([scope], entries))
    return [{"scopes": scopes, "commands": entries} for scopes, entries in groups]


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def build_manifest(
    app_id: str,
    version: str,
    commands: Sequence[CommandInfo],
    *,
    developer: Developer = DEFAULT_DEVELOPER,
    host: str = DEFAULT_HOST,
) -> dict[str, Any]:
    """The manifest as a dict. ``app_id`` is the bot's Microsoft App ID (a GUID); ``host`` is
    the public host name of `sgtracker serve` (the tabs' pages and the SSO resource)."""
    if not _HOST.match(host):
        raise ValueError(f"host must be a host name such as {DEFAULT_HOST} (no https://, no "
                         f"path), got {host!r}")
    if not _GUID.match(app_id):
        raise ValueError(f"app id must be a GUID (the bot's Microsoft App ID), got {app_id!r}")
    if not _SEMVER.match(version):
        raise ValueError(f"version must be MAJOR.MINOR.PATCH (digits only), got {version!r}")
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    manifest: dict[str, Any] = _fill(
        template,
        {
            "APP_ID": app_id.lower(),
            "HOST": host,
            "VERSION": version,
            "DEVELOPER_NAME": developer.name,
            "DEVELOPER_URL": developer.website_url,
            "PRIVACY_URL": developer.privacy_url,
            "TERMS_URL": developer.terms_url,
        },
    )
    lists = command_lists(commands)
    if lists:
        manifest["bots"][0]["commandLists"] = lists
    return manifest


def build_package(
    app_id: str,
    version: str,
    commands: Sequence[CommandInfo],
    out: Path,
    *,
    developer: Developer = DEFAULT_DEVELOPER,
    host: str = DEFAULT_HOST,
) -> Path:
    """Write the app package: a zip with manifest.json, color.png and outline.png at its root."""
    manifest = build_manifest(app_id, version, commands, developer=developer, host=host)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()}
    for name in ICONS:
        files[name] = (HERE / name).read_bytes()
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(out)
    return out

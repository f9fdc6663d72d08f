"""Reference data (localities, option lists, roles, timescales, permissions) from data files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InvalidInput
from .text import short


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Locality:
    key: str
    name: str
    region: str


def _norm(text: str) -> str:
    text = re.sub(r"\b(nhs|icb|integrated care board)\b", " ", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass(frozen=True)
class Reference:
    localities: dict[str, Locality]
    regions: dict[str, str]
    options: dict[str, list[Option]]
    roles: dict[str, Option]
    role_aliases: dict[str, str]
    directors: tuple[str, ...]
    timescales: dict[str, Any]
    permissions: dict[str, frozenset[str]]
    retention_years: dict[str, int]

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Reference:
        def read(name: str) -> Any:
            if data_dir is not None:
                return json.loads((data_dir / name).read_text())
            return json.loads(resources.files("tracker.data").joinpath(name).read_text())

        loc = read("localities.json")
        opts = read("options.json")
        roles = read("roles.json")
        aliases: dict[str, str] = {}
        for r in roles["roles"]:
            for word in [r["key"], r["label"], *r["aliases"]]:
                aliases[_norm(word.replace("_", " "))] = r["key"]
        return cls(
            localities={x["key"]: Locality(x["key"], x["name"], x["region"])
                        for x in loc["localities"]},
            regions={x["key"]: x["name"] for x in loc["regions"]},
            options={k: [Option(o["key"], o["label"]) for o in v]
                     for k, v in opts.items() if not k.startswith("_")},
            roles={r["key"]: Option(r["key"], r["label"]) for r in roles["roles"]},
            role_aliases=aliases,
            directors=tuple(roles["directors"]),
            timescales=read("timescales.json"),
            permissions={k: frozenset(v) for k, v in read("permissions.json")["actions"].items()},
            retention_years=read("retention.json")["years"],
        )

    # --- look-ups that accept what people type -------------------------------------------
    def locality(self, text: str) -> Locality:
        """Find a locality by key, name or a unique part of its name."""
        want = _norm(text)
        if not want:
            raise InvalidInput({"locality": "Name the ICB, e.g. `Devon`."})
        exact = [x for x in self.localities.values()
                 if want in (_norm(x.key.replace("-", " ")), _norm(x.name))]
        if exact:
            return exact[0]
        partial = [x for x in self.localities.values() if want in _norm(x.name)]
        if len(partial) == 1:
            return partial[0]
        if partial:
            names = ", ".join(x.name for x in partial[:5])
            raise InvalidInput({"locality": f"'{text}' matches several ICBs: {names}."})
        raise InvalidInput({"locality": f"I don't know an ICB called '{short(text, 60)}'."})

    def region_key(self, text: str) -> str:
        want = _norm(text)
        for key, name in self.regions.items():
            if want in (_norm(key.replace("-", " ")), _norm(name)):
                return key
        raise InvalidInput({"region": f"I don't know a region called '{short(text, 60)}'."})

    def role(self, text: str) -> str:
        key = self.role_aliases.get(_norm(text))
        if key is None:
            known = ", ".join(o.label.lower() for o in self.roles.values())
            raise InvalidInput({"role": f"I don't know the role '{short(text, 60)}'. Roles: "
                                        f"{known}."})
        return key

    def option(self, kind: str, text: str) -> Option:
        """An option by key or by a unique word of its label."""
        items = self.options[kind]
        want = _norm(text.replace("_", " "))
        for o in items:
            if want in (_norm(o.key.replace("_", " ")), _norm(o.label)):
                return o
        partial = [o for o in items if want and want in _norm(o.label)]
        if len(partial) == 1:
            return partial[0]
        known = ", ".join(o.key.replace("_", " ") for o in items)
        field = kind.rstrip("s").replace("_", " ")
        raise InvalidInput({field: f"'{short(text, 60)}' is not a known {field}. Choose one of: "
                                   f"{known}."})

    def label(self, kind: str, key: str) -> str:
        for o in self.options.get(kind, []):
            if o.key == key:
                return o.label
        return key

    def role_label(self, key: str) -> str:
        return self.roles[key].label if key in self.roles else key

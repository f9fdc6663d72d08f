"""Reference data (localities, option lists, roles, timescales, permissions) from data files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """An ICB or a region, as named by what someone typed."""

    kind: str  # "locality" | "region"
    key: str
    name: str

    @property
    def described(self) -> str:
        return f"the {self.name} region" if self.kind == "region" else self.name


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
    region_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    role_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
            localities={x["key"]: Locality(x["key"], x["name"], x["region"],
                                           tuple(x.get("aliases", ())))
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
            region_aliases={x["key"]: tuple(x.get("aliases", ())) for x in loc["regions"]},
            role_scopes={r["key"]: tuple(r.get("scopes", ["locality"])) for r in roles["roles"]},
        )

    # --- look-ups that accept what people type -------------------------------------------
    def places(self) -> list[tuple[Place, tuple[str, ...]]]:
        """Every ICB and region with the names it answers to (key, name, aliases)."""
        out = [(Place("locality", x.key, x.name), (x.key.replace("-", " "), x.name, *x.aliases))
               for x in self.localities.values()]
        out += [(Place("region", k, n), (k.replace("-", " "), n, *self.region_aliases.get(k, ())))
                for k, n in self.regions.items()]
        return out

    def place(self, text: str, kind: str = "") -> Place:
        """An ICB or region by exact name, key or listed alias, else by an unambiguous prefix.

        `kind` ("locality" or "region") limits the search; "region X" and "X region" ask for a
        region. An ambiguous or partial name is refused with the candidates listed.
        """
        raw = text.strip()
        low = _norm(raw)
        if not kind and re.search(r"\b(icb|integrated care board)\b", raw.lower()):
            kind = "locality"  # "London ICB" asks for an ICB, not the London region
        if low.startswith("region "):
            kind, low = kind or "region", low[7:].strip()
        elif low.endswith(" region"):
            kind, low = kind or "region", low[:-7].strip()
        what = {"locality": "ICB", "region": "region"}.get(kind, "ICB or region")
        if not low:
            raise InvalidInput({"scope": f"Name the {what}, e.g. `Devon` or `South East`."})
        pool = [(p, names) for p, names in self.places() if not kind or p.kind == kind]
        exact = [p for p, names in pool if low in {_norm(n) for n in names}]
        if len(exact) == 1:
            return exact[0]
        other = [p for p, names in self.places() if kind and p.kind != kind
                 and low in {_norm(n) for n in names}]
        if other and not exact:  # the exact name of the other kind: never a prefix match
            found = other[0]
            if found.kind == "region":
                icbs = "; ".join(x.name for x in self.localities.values()
                                 if x.region == found.key)
                raise InvalidInput({"scope": f"{found.name} is a region, not an ICB. Its ICBs: "
                                             f"{icbs}. Nothing was changed."})
            raise InvalidInput({"scope": f"{found.name} is an ICB, not a region. "
                                         "Nothing was changed."})
        prefix = exact or [p for p, names in pool
                           if any(_norm(n).startswith(low + " ") for n in names)]
        if len(prefix) == 1:
            return prefix[0]
        shown = short(raw, 60)
        if prefix:
            names = "; ".join(p.described for p in prefix[:8])
            raise InvalidInput({"scope": f"'{shown}' could be any of: {names}. Type the full "
                                         "name; nothing was changed."})
        partial = [p for p, names in pool if any(low in _norm(n) for n in names)]
        if partial:
            names = "; ".join(p.described for p in partial[:8])
            raise InvalidInput({"scope": f"'{shown}' is only part of a name. Did you mean one "
                                         f"of: {names}? Nothing was changed."})
        raise InvalidInput({"scope": f"I don't know an {what} called '{shown}'."})

    def locality(self, text: str) -> Locality:
        """Find a locality (ICB) by key, name, alias or an unambiguous prefix of its name."""
        if not _norm(text):
            raise InvalidInput({"locality": "Name the ICB, e.g. `Devon`."})
        try:
            found = self.place(text, "locality")
        except InvalidInput as e:
            raise InvalidInput({"locality": e.errors["scope"]}) from None
        return self.localities[found.key]

    def region_key(self, text: str) -> str:
        try:
            return self.place(text, "region").key
        except InvalidInput as e:
            raise InvalidInput({"region": e.errors["scope"]}) from None

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

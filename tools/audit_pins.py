"""Check pinned dependencies against the advisories PyPI publishes for each project.

pip-audit asks PyPI about each exact version; where that per-version API is not available (as
on our build machines' mirror) it skips the package. This asks the per-project API instead,
whose advisories describe the latest release: a pin on the latest release is checked exactly;
an older pin is reported (not failed) so someone can look. Exit 1 on an advisory that affects a
pin and is not in the ignore list (each ignored id is explained in docs/security.md).

usage: python tools/audit_pins.py REQUIREMENTS [--ignore-vuln ID ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request


def advisories(name: str) -> tuple[str, list[dict]]:  # type: ignore[type-arg]
    url = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 (a fixed https URL)
        data = json.load(r)
    return str(data["info"]["version"]), list(data.get("vulnerabilities") or [])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("requirements")
    p.add_argument("--ignore-vuln", action="append", default=[])
    ns = p.parse_args(argv)
    pins = [line.strip().split("==") for line in open(ns.requirements)
            if "==" in line and not line.startswith("#")]
    found, older, unreachable = [], [], []
    for name, version in pins:
        try:
            latest, vulns = advisories(name)
        except (urllib.error.URLError, TimeoutError, ValueError) as e:
            unreachable.append(f"{name} ({e})")
            continue
        if version != latest:
            older.append(f"{name} {version} (latest {latest})")
            continue
        for v in vulns:
            ids = {v.get("id"), *(v.get("aliases") or [])}
            if not ids & set(ns.ignore_vuln):
                found.append(f"{name} {version}: {v.get('id')} {v.get('aliases')} "
                             f"fixed in {v.get('fixed_in')}")
    print(f"audit_pins: {len(pins)} pinned runtime dependencies checked against PyPI.")
    for line in older:
        print(f"  not the latest release, check by hand: {line}")
    for line in unreachable:
        print(f"  WARNING could not ask PyPI about {line}")
    for line in found:
        print(f"  VULNERABLE {line}")
    print("  no known vulnerabilities" if not found else f"  {len(found)} advisories")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""Copy the tab's two browser libraries from tools/tab-browser/node_modules (pinned by its lock
file) into tab/static/vendor/, where `sgtracker serve` serves them. Run after changing a pin:
`cd tools/tab-browser && npm ci && cd ../.. && python tools/tab_vendor.py`.
tests/test_tab_pages.py checks the committed copies are byte-identical to the pinned packages."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "tools" / "tab-browser" / "node_modules"
VENDOR = ROOT / "tab" / "static" / "vendor"
FILES = {  # npm package -> (file in the package, name served as)
    "htmx.org": ("dist/htmx.min.js", "htmx.min.js"),
    "@microsoft/teams-js": ("dist/umd/MicrosoftTeams.min.js", "teams-js.min.js"),
}


def sources() -> dict[str, Path]:
    return {served: MODULES / pkg / path for pkg, (path, served) in FILES.items()}


def versions() -> dict[str, str]:
    return {pkg: json.loads((MODULES / pkg / "package.json").read_text())["version"]
            for pkg in FILES}


def main() -> int:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for served, src in sources().items():
        if not src.is_file():
            print(f"{src} is missing: run `npm ci` in tools/tab-browser", file=sys.stderr)
            return 1
        shutil.copyfile(src, VENDOR / served)
    (VENDOR / "VERSIONS.json").write_text(json.dumps(versions(), indent=2) + "\n")
    print(f"copied {', '.join(FILES)} into {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Print the runtime dependencies of safeguarding-tracker, as installed, pinned (`name==version`).

Walks the `Requires-Dist` of the installed distribution (no extras: not the dev tools) and of
each dependency in turn. `make audit` feeds the result to pip-audit.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from packaging.requirements import Requirement


def closure(root: str) -> dict[str, str]:
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist.version
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue  # an extra (dev, test...) or another platform
            todo.append(req.name)
    return seen


def main() -> int:
    pins = closure("safeguarding-tracker")
    pins.pop("safeguarding-tracker", None)
    for name, version in sorted(pins.items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build tracker/data/names_first.txt and names_last.txt from the `names-dataset` package.

Loading `NameDataset()` whole costs about 2 GB of memory and half a minute, so the bot never
does it. This tool reads the package's two shipped pickles one at a time (the same files
`NameDataset` reads), keeps the forenames and surnames ranked in the countries that England's
population comes from, and writes two small sorted word lists. Run it again after upgrading
names-dataset: `python tools/build_names.py` (needs `pip install names-dataset==3.3.1`).
"""

from __future__ import annotations

import gzip
import pickle
import sys
from pathlib import Path

import names_dataset

OUT = Path(__file__).resolve().parent.parent / "tracker" / "data"

# The deepest rank kept per country (ISO alpha-2): deeper for Britain and Ireland and for the
# largest groups born abroad who live in England (India, Bangladesh, Nigeria, Poland), and the
# top names of every country the package knows (Africa, the Caribbean, Eastern Europe, China,
# the Middle East...), so that names from every background in England are in the list.
# The package has no ranks for some countries (Romania, Pakistan, Somalia...): their names are
# caught through the neighbours that do (Spain and Italy, India and Bangladesh, Ethiopia...).
# Every other country keeps its top OTHERS.
DEPTH = {"GB": 6000, "IE": 3000, "US": 3000, "IN": 3000, "BD": 3000, "NG": 3000, "PL": 3000}
OTHERS = 1500


def keep(ranks: dict[str, int]) -> bool:
    return any(rank is not None and rank <= DEPTH.get(country, OTHERS)
               for country, rank in ranks.items())


def names(pickle_name: str) -> list[str]:
    path = Path(names_dataset.__file__).parent / "v3" / pickle_name
    with gzip.open(path, "rb") as f:
        table = pickle.load(f)  # noqa: S301 - the package's own data file
    out = sorted(f"{name}\t{best(info.get('rank') or {})}" for name, info in table.items()
                 if len(name) > 1 and name.replace("'", "").replace("-", "").isalpha()
                 and keep(info.get("rank") or {}))
    del table
    return out


def best(ranks: dict[str, int]) -> int:
    """The name's best rank in any country (1 = the most common name there)."""
    return min(rank for rank in ranks.values() if rank is not None)


def main() -> None:
    for pickle_name, out_name in (("first_names.pkl.gz", "names_first.txt"),
                                  ("last_names.pkl.gz", "names_last.txt")):
        kept = names(pickle_name)
        (OUT / out_name).write_text("\n".join(kept) + "\n", encoding="utf-8")
        print(f"{out_name}: {len(kept)} names", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Check the icons inside a Teams app package.

Usage: ``python -m manifest.check_icons build/app.zip``. Exits 1 and lists every problem, or
prints a one-line summary and exits 0.

Teams wants a 192x192 full-colour PNG and a 32x32 outline PNG that is white on a transparent
background (only the alpha channel may vary).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

COLOR_SIZE = (192, 192)
OUTLINE_SIZE = (32, 32)
WHITE = (255, 255, 255)


def _open_png(data: bytes, name: str, problems: list[str]) -> Image.Image | None:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as exc:  # Pillow raises several types for broken files
        problems.append(f"{name}: not a readable image ({exc})")
        return None
    if img.format != "PNG":
        problems.append(f"{name}: is {img.format}, must be PNG")
    return img


def check_color(img: Image.Image, name: str = "color.png") -> list[str]:
    if img.size != COLOR_SIZE:
        return [f"{name}: is {img.size[0]}x{img.size[1]}, must be 192x192"]
    return []


def check_outline(img: Image.Image, name: str = "outline.png") -> list[str]:
    problems: list[str] = []
    if img.size != OUTLINE_SIZE:
        problems.append(f"{name}: is {img.size[0]}x{img.size[1]}, must be 32x32")
    if img.mode != "RGBA":
        problems.append(f"{name}: mode is {img.mode}, must be RGBA (white on transparent)")
        return problems
    width, height = img.size
    raw = img.tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    corners = (pixels[0], pixels[width - 1], pixels[-width], pixels[-1])
    if any(p[3] != 0 for p in corners):
        problems.append(f"{name}: background must be transparent (a corner pixel is not)")
    visible = [(i, p) for i, p in enumerate(pixels) if p[3] > 0]
    if not visible:
        problems.append(f"{name}: is fully transparent; it needs a white mark")
    elif len(visible) == len(pixels):
        problems.append(f"{name}: has no transparent pixels; the background must be transparent")
    coloured = [(i, p) for i, p in visible if p[:3] != WHITE]
    if coloured:
        i, p = coloured[0]
        problems.append(
            f"{name}: {len(coloured)} visible pixel(s) are not white, e.g. {p} at "
            f"({i % width}, {i // width}); use white and vary only the alpha"
        )
    return problems


def check_icons(zip_path: Path | str) -> list[str]:
    """Every problem found with the icons in the package, or an empty list."""
    path = Path(zip_path)
    if not path.is_file():
        return [f"{path}: no such file"]
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return [f"{path}: not a zip file"]
    with zf:
        names = set(zf.namelist())
        color_name, outline_name = "color.png", "outline.png"
        if "manifest.json" in names:
            try:
                icons = json.loads(zf.read("manifest.json").decode("utf-8-sig")).get("icons", {})
                color_name = icons.get("color", color_name)
                outline_name = icons.get("outline", outline_name)
            except (ValueError, AttributeError) as exc:
                return [f"manifest.json: not valid JSON ({exc})"]
        else:
            return [f"{path}: manifest.json is missing from the zip root"]
        problems: list[str] = []
        for name, check in ((color_name, check_color), (outline_name, check_outline)):
            if name not in names:
                problems.append(f"{name}: named in manifest.json but missing from the zip root")
                continue
            img = _open_png(zf.read(name), name, problems)
            if img is not None:
                problems += check(img, name)
        return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m manifest.check_icons", description=__doc__)
    parser.add_argument("package", type=Path, help="the app package zip, e.g. build/app.zip")
    args = parser.parse_args(argv)
    problems = check_icons(args.package)
    if problems:
        for problem in problems:
            print(f"icon check failed: {problem}", file=sys.stderr)
        return 1
    print(f"icons OK in {args.package}: color 192x192, outline 32x32 white on transparent")
    return 0


if __name__ == "__main__":
    sys.exit(main())

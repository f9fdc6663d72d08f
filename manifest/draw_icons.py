"""Draw the two Teams app icons with Pillow.

Run once with ``python -m manifest.draw_icons``; the PNGs are committed and this script stays for
reproducibility. The mark is a shield with a tick: safeguarding, and a case seen through.

- ``color.png``: 192x192, NHS blue background, white shield, NHS blue tick. The shield stays
  close to the central 96x96 area so it survives the crop Teams applies in some places.
- ``outline.png``: 32x32, transparent background, white shield outline and tick; every pixel is
  white and only alpha varies, as Teams requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

NHS_BLUE = (0x00, 0x5E, 0xB8)
NHS_DARK_BLUE = (0x00, 0x30, 0x87)
WHITE = (255, 255, 255)
SCALE = 16  # draw large, then downsample for clean anti-aliased edges

HERE = Path(__file__).resolve().parent

Point = tuple[float, float]


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 48) -> list[Point]:
    out: list[Point] = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


def shield_outline() -> list[Point]:
    """The shield as a closed polygon in a unit box (x and y in 0..1), clockwise from the top."""
    right: list[Point] = [(0.5, 0.0)]
    right += _cubic((0.5, 0.0), (0.66, 0.10), (0.84, 0.13), (1.0, 0.13))  # top edge, right half
    right += [(1.0, 0.50)]  # right side
    right += _cubic((1.0, 0.50), (1.0, 0.76), (0.80, 0.91), (0.5, 1.0))  # down to the point
    left = [(1.0 - x, y) for x, y in reversed(right[1:-1])]
    return right + left


TICK: Sequence[Point] = ((0.27, 0.53), (0.44, 0.69), (0.74, 0.36))


def _place(points: Sequence[Point], box: tuple[float, float, float, float]) -> list[Point]:
    x0, y0, w, h = box
    return [(x0 + x * w, y0 + y * h) for x, y in points]


def _tick(
    draw: ImageDraw.ImageDraw, points: list[Point], width: float, fill: int | tuple[int, ...]
) -> None:
    draw.line(points, fill=fill, width=round(width), joint="curve")
    r = width / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def draw_color(size: int = 192) -> Image.Image:
    big = size * SCALE
    img = Image.new("RGB", (big, big), NHS_BLUE)
    draw = ImageDraw.Draw(img)
    w, h = 0.54 * big, 0.62 * big
    box = ((big - w) / 2, (big - h) / 2 + 0.01 * big, w, h)
    # a soft dark-blue shadow under the shield gives it a little depth
    shadow = Image.new("L", (big, big), 0)
    offset = (box[0], box[1] + 0.02 * big, w, h)
    ImageDraw.Draw(shadow).polygon(_place(shield_outline(), offset), fill=110)
    shadow = shadow.filter(ImageFilter.GaussianBlur(0.025 * big))
    img.paste(Image.new("RGB", (big, big), NHS_DARK_BLUE), mask=shadow)
    draw.polygon(_place(shield_outline(), box), fill=WHITE)
    _tick(draw, _place(TICK, box), 0.085 * big, NHS_BLUE)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def draw_outline(size: int = 32) -> Image.Image:
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    # whole pixels: the straight sides land on pixel edges and stay crisp at 32x32
    w, h = 24 * SCALE, 28 * SCALE
    box = ((big - w) / 2, (big - h) / 2, w, h)
    draw.polygon(_place(shield_outline(), box), fill=255)
    # hollow the shield: erode a copy by the stroke width and cut it out
    stroke = 2 * SCALE
    inner = mask
    for _ in range(stroke // 4):
        inner = inner.filter(ImageFilter.MinFilter(9))
    hollow = Image.new("L", (big, big), 0)
    hollow.paste(mask)
    hollow.paste(0, mask=inner)
    _tick(ImageDraw.Draw(hollow), _place(TICK, box), 2.6 * SCALE, 255)
    alpha = hollow.resize((size, size), Image.Resampling.LANCZOS)
    img = Image.new("RGBA", (size, size), WHITE + (0,))
    img.putalpha(alpha)
    return img


def main() -> None:
    draw_color().save(HERE / "color.png", optimize=True)
    draw_outline().save(HERE / "outline.png", optimize=True)
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()

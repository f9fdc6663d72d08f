"""Charts drawn on the server: Vega-Lite specs (altair) rendered to SVG by vl-convert, shown as
images (so the page's Content-Security-Policy needs no inline styles). Each chart's numbers
are also on the page as a table. Rendering costs tens of milliseconds: the same chart is
drawn once and kept."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from functools import lru_cache

import altair as alt
import vl_convert

NHS_BLUE = "#005EB8"


@dataclass(frozen=True)
class Chart:
    key: str  # an id for the page
    title: str
    rows: tuple[tuple[str, int], ...]
    unit: str = "Cases"

    @property
    def image(self) -> str:
        """The chart as a data: URL (SVG)."""
        return svg_data_url(self.title, self.rows, self.unit)

    @property
    def alt(self) -> str:
        if not self.rows:
            return f"{self.title}: none in this period."
        parts = "; ".join(f"{label} {n}" for label, n in self.rows[:12])
        return f"Bar chart, {self.title}: {parts}. The same numbers are in the table below."


@lru_cache(maxsize=512)
def svg_data_url(title: str, rows: tuple[tuple[str, int], ...], unit: str) -> str:
    data = [{"label": label, "n": n} for label, n in rows] or [{"label": "None", "n": 0}]
    top = max(1, *(n for _, n in rows)) if rows else 1
    step = max(1, math.ceil(top / 8))
    ticks = list(range(0, top + step, step))
    chart = alt.Chart(alt.Data(values=data)).mark_bar(color=NHS_BLUE).encode(
        x=alt.X("n:Q", title=unit, scale=alt.Scale(domain=[0, ticks[-1]]),
                axis=alt.Axis(values=ticks, format="d")),
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=220)),
    ).properties(width=320, height=max(40, 26 * len(data)))
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

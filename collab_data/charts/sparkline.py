"""A KPI's trend line as a small SVG image (pure: values in, an <img> tag out).

Streamlit's metric can draw a trend line itself, but as one Vega chart per tile: nine of them
made the Overview's tiles the slowest thing the browser drew (about half a second of its time
on every rerun, on a machine without a graphics card). The same line as an inline SVG image
costs the browser nothing. A quarter without data breaks the line (missing is not zero).
"""

from __future__ import annotations

import base64

import jinja2

_SVG = jinja2.Environment(autoescape=True).from_string(
    '<svg xmlns="http://www.w3.org/2000/svg" width="{{ w }}" height="{{ h }}" viewBox="0 0 {{ w }} {{ h }}">'
    '{% for line in lines %}<polyline fill="none" stroke="{{ color }}" stroke-width="2" stroke-linejoin="round" '
    'stroke-linecap="round" points="{{ line }}"/>{% endfor %}'
    '{% for x, y in dots %}<circle cx="{{ x }}" cy="{{ y }}" r="2" fill="{{ color }}"/>{% endfor %}</svg>')
_IMG = jinja2.Environment(autoescape=True).from_string(
    '<img src="data:image/svg+xml;base64,{{ data }}" width="{{ w }}" height="{{ h }}" alt="{{ alt }}" '
    'title="{{ alt }}" style="vertical-align:middle">')


def points(values: list[float | None], w: int, h: int, pad: int = 3) -> list[list[tuple[float, float]]]:
    """The runs of consecutive values as (x, y) points scaled into ``w`` x ``h``."""
    known = [v for v in values if v is not None]
    if not known:
        return []
    lo, hi = min(known), max(known)
    span = (hi - lo) or 1.0
    step = (w - 2 * pad) / max(len(values) - 1, 1)
    runs, run = [], []
    for i, v in enumerate(values):
        if v is None:
            if run:
                runs.append(run)
            run = []
            continue
        y = h - pad - (v - lo) / span * (h - 2 * pad) if hi != lo else h / 2
        run.append((round(pad + i * step, 1), round(y, 1)))
    if run:
        runs.append(run)
    return runs


def sparkline(values: list[float | None], *, color: str, alt: str, w: int = 120, h: int = 28) -> str:
    """An <img> of the trend line (empty when fewer than two quarters have data)."""
    runs = points(values, w, h)
    if sum(len(r) for r in runs) < 2:
        return ""
    svg = _SVG.render(w=w, h=h, color=color, lines=[" ".join(f"{x},{y}" for x, y in r) for r in runs if len(r) > 1],
                      dots=[r[0] for r in runs if len(r) == 1])
    return _IMG.render(data=base64.b64encode(svg.encode()).decode(), w=w, h=h, alt=alt)

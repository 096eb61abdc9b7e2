"""Colours shared by Altair, pydeck and the Streamlit theme (``.streamlit/config.toml``).

All palettes are colour-blind safe. A test checks that config.toml uses the same lists.
"""

from __future__ import annotations

# Okabe-Ito
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Viridis, light to dark (low to high)
SEQUENTIAL = ["#fde725", "#b5de2b", "#6ece58", "#35b779", "#1f9e89", "#26828e", "#31688e", "#3e4989", "#482878", "#440154"]
# ColorBrewer PuOr
DIVERGING = ["#2d004b", "#542788", "#8073ac", "#b2abd2", "#d8daeb", "#fee0b6", "#fdb863", "#e08214", "#b35806", "#7f3b08"]

#: "No data" is never a colour of the scale: a light grey with a hatch/outline where possible.
NO_DATA = "#d9d9d9"
NO_DATA_LABEL = "No data"
NOT_DISAGGREGATED = "#bdbdbd"

# KPI status: always shown with a word and a symbol too, never colour alone.
# "fill" is the colour-blind-safe Okabe-Ito hue for marks, borders and tints; "color" is the
# same hue darkened for text, with at least 4.5:1 contrast on white (WCAG AA; a test checks it).
STATUS = {
    "on_track": {"label": "On track", "symbol": "▲", "color": "#00704F", "fill": "#009E73"},
    "at_risk": {"label": "At risk", "symbol": "●", "color": "#8F5400", "fill": "#E69F00"},
    "off_track": {"label": "Off track", "symbol": "▼", "color": "#A63F00", "fill": "#D55E00"},
    "no_target": {"label": "No target", "symbol": "–", "color": "#4b5563", "fill": "#9ca3af"},
}

#: The least contrast ratio of any status text with white (WCAG AA for normal text).
MIN_TEXT_CONTRAST = 4.5


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in hex_to_rgb(color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    hi, lo = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def tint(color: str, alpha: float, background: str = "#ffffff") -> str:
    """``color`` at ``alpha`` over ``background``, as an opaque ``#rrggbb`` (a pill's tint)."""
    fg, bg = hex_to_rgb(color)[:3], hex_to_rgb(background)[:3]
    return "#" + "".join(f"{round(a * alpha + b * (1 - alpha)):02x}" for a, b in zip(fg, bg))


SAMPLE_BADGE = "🧪 Sample data"


def hex_to_rgb(color: str, alpha: int = 255) -> list[int]:
    color = color.lstrip("#")
    return [int(color[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def sequential_rgb(fraction: float, alpha: int = 230) -> list[int]:
    """The sequential colour at ``fraction`` (0..1) of the scale, as an RGBA list for pydeck."""
    fraction = min(max(fraction, 0.0), 1.0)
    pos = fraction * (len(SEQUENTIAL) - 1)
    i = int(pos)
    j = min(i + 1, len(SEQUENTIAL) - 1)
    a, b = hex_to_rgb(SEQUENTIAL[i]), hex_to_rgb(SEQUENTIAL[j])
    t = pos - i
    return [round(a[k] + (b[k] - a[k]) * t) for k in range(3)] + [alpha]

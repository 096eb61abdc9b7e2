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
STATUS = {
    "on_track": {"label": "On track", "symbol": "▲", "color": "#009E73"},
    "at_risk": {"label": "At risk", "symbol": "●", "color": "#E69F00"},
    "off_track": {"label": "Off track", "symbol": "▼", "color": "#D55E00"},
    "no_target": {"label": "No target", "symbol": "–", "color": "#6b7280"},
}

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

"""Altair chart builders: pure functions, DataFrame in, chart out (unit-tested without Streamlit).

One module per area (``overview``, ``overlap``, ``catalogue``, ``gaps``); shared pieces here.
Colours come from :mod:`collab_data.theme` so charts, maps and the Streamlit theme agree.
"""

from __future__ import annotations

import altair as alt

from collab_data import theme

#: Readable when a meeting shares the screen.
LABEL_SIZE = 13
TITLE_SIZE = 15


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Common look: readable type, no chart border."""
    return (
        chart.configure_axis(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE, labelLimit=260)
        .configure_legend(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE, labelLimit=260)
        .configure_title(fontSize=TITLE_SIZE, anchor="start")
        .configure_view(strokeWidth=0)
    )


def categorical_scale(domain: list[str]) -> alt.Scale:
    colors = [theme.CATEGORICAL[i % len(theme.CATEGORICAL)] for i in range(len(domain))]
    return alt.Scale(domain=domain, range=colors)


def sequential_scale(**kwargs) -> alt.Scale:
    return alt.Scale(range=theme.SEQUENTIAL, **kwargs)

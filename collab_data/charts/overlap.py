"""Heatmaps of the Overlap page (pure: DataFrame in, Altair chart out).

A heatmap has a cell only where there is something to show: a partner without a
programme in a country is an empty cell, never a 0-coloured one.

Size. The page's heatmaps arrive cut in SQL (``queries.overlap``): at most 40 rows and
columns plus a grey "All others" row and column, drawn outside the colour scale (its sums
would swamp it); :func:`capped_view` orders what is shown and puts "All others" last.

Ordering. Columns (countries) can be cut to the top N by total. Rows and columns are
then ordered either by totals (largest first) or by *similarity*: the first principal
axis of a correspondence analysis of the count matrix (the classic seriation, also
known as reciprocal averaging). Partners that work in the same countries end up next to
each other, and so do countries served by the same partners, so blocks of overlap show
as blocks of colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from collab_data.charts import finish, sequential_scale

ORDER_CHOICES = {"similarity": "Similar together", "totals": "Largest first"}
#: Width and height of one cell, in pixels: a wide matrix scrolls instead of squeezing.
CELL = 24
#: Space reserved for the column labels (rotated names) under the matrix.
MAX_ROW_LABEL = 210
#: Beyond this many columns the matrix scrolls sideways: the row labels are repeated on the right.
RIGHT_LABELS_FROM = 26


@dataclass(frozen=True)
class MatrixView:
    """What a heatmap shows: the cells (long form) and the order of rows and columns."""

    cells: pd.DataFrame
    rows: list[str]
    cols: list[str]
    total_cols: int  # columns before the top-N cut
    total_rows: int = 0  # rows before the cut (0: not counted)
    other_row: str | None = None  # label of the "All others" row, when there is one
    other_col: str | None = None  # label of the "All others" column, when there is one

    @property
    def is_cut(self) -> bool:
        return self.other_col is not None or len(self.cols) < self.total_cols

    @property
    def shown_rows(self) -> int:
        return len(self.rows) - (self.other_row is not None)

    @property
    def shown_cols(self) -> int:
        return len(self.cols) - (self.other_col is not None)


def top_columns(frame: pd.DataFrame, col: str, value: str, n: int | None) -> list[str]:
    """The ``n`` columns with the largest total of ``value`` (ties by name); all when ``n`` is None."""
    totals = frame.groupby(col, sort=False)[value].sum().reset_index()
    totals = totals.sort_values([value, col], ascending=[False, True], kind="mergesort")
    keys = totals[col].tolist()
    return keys if n is None else keys[: max(int(n), 0)]


def _totals_order(matrix: pd.DataFrame, axis: int) -> list[str]:
    totals = matrix.sum(axis=axis)
    frame = pd.DataFrame({"key": totals.index.astype(str), "total": totals.to_numpy()})
    return frame.sort_values(["total", "key"], ascending=[False, True], kind="mergesort")["key"].tolist()


def first_axis_order(matrix: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Rows and columns of a non-negative matrix ordered by the first correspondence-analysis axis.

    Falls back to totals when the matrix is too small or has no structure (a single row
    or column, or a first singular value of zero). The sign of the axis is fixed so that
    the row with the largest total lies in the first half: the order is deterministic.
    """
    by_rows, by_cols = _totals_order(matrix, 1), _totals_order(matrix, 0)
    n = matrix.to_numpy(dtype=float)
    if n.shape[0] < 2 or n.shape[1] < 2 or n.sum() <= 0:
        return by_rows, by_cols
    p = n / n.sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    if (r <= 0).any() or (c <= 0).any():
        return by_rows, by_cols
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, vt = np.linalg.svd(s, full_matrices=False)
    if sv[0] <= 1e-12:
        return by_rows, by_cols
    row_coord = u[:, 0] / np.sqrt(r)
    col_coord = vt[0, :] / np.sqrt(c)
    biggest = matrix.index.get_loc(by_rows[0]) if by_rows[0] in matrix.index else 0
    if row_coord[biggest] > np.median(row_coord):
        row_coord, col_coord = -row_coord, -col_coord

    def order(keys, coord, totals):
        frame = pd.DataFrame({"key": [str(k) for k in keys], "coord": np.round(coord, 9), "total": totals})
        return frame.sort_values(["coord", "total", "key"], ascending=[True, False, True], kind="mergesort")["key"].tolist()

    return order(matrix.index, row_coord, n.sum(axis=1)), order(matrix.columns, col_coord, n.sum(axis=0))


def heatmap_height(rows: list[str], cols: list[str], cell: int = CELL) -> int:
    """Pixels a heatmap needs (rows, rotated column labels, legend), for a scrolling frame around it."""
    longest = max((len(str(c)) for c in cols), default=0)
    labels = min(longest * 6, 150) + 20  # rotated labels (cut at 150 px) at -50 degrees
    return len(rows) * cell + labels + 90


def matrix_view(frame: pd.DataFrame, *, row: str, col: str, value: str, top_n: int | None = None,
                order: str = "similarity") -> MatrixView:
    """Cut ``frame`` (long form: one row per non-empty cell) to the top-N columns and order it.

    Rows left without any cell after the cut are dropped.
    """
    if order not in ORDER_CHOICES:
        raise ValueError(f"unknown order {order!r}")
    if frame.empty:
        return MatrixView(frame.copy(), [], [], 0)
    total_cols = frame[col].nunique()
    keep = top_columns(frame, col, value, top_n)
    cells = frame[frame[col].isin(keep) & frame[value].notna() & (frame[value] > 0)].copy()
    matrix = cells.pivot_table(index=row, columns=col, values=value, aggfunc="sum", fill_value=0)
    if order == "totals":
        rows, cols = _totals_order(matrix, 1), _totals_order(matrix, 0)
    else:
        rows, cols = first_axis_order(matrix)
    return MatrixView(cells.reset_index(drop=True), rows, cols, total_cols)


def capped_view(frame: pd.DataFrame, *, row: str, col: str, value: str, order: str = "similarity") -> MatrixView:
    """Order a matrix already cut in SQL (``queries.overlap._capped_matrix``): rows and
    columns shown are ordered (similarity or totals) on the cells among them only; the
    "All others" row and column (``other_row`` / ``other_col`` flags) come last.

    A row shown whose programmes all lie in "All others" countries still gets its row.
    """
    if order not in ORDER_CHOICES:
        raise ValueError(f"unknown order {order!r}")
    if frame.empty:
        return MatrixView(frame.copy(), [], [], 0)
    cells = frame[frame[value].notna() & (frame[value] > 0)].reset_index(drop=True)
    summary = cells["other_row"].to_numpy(bool) | cells["other_col"].to_numpy(bool)
    inner = cells[~summary]
    if inner.empty:
        rows, cols = [], []
    else:
        matrix = inner.pivot_table(index=row, columns=col, values=value, aggfunc="sum", fill_value=0)
        if order == "totals":
            rows, cols = _totals_order(matrix, 1), _totals_order(matrix, 0)
        else:
            rows, cols = first_axis_order(matrix)
    # rows shown with cells only in the "All others" column: after the others, largest first
    rest = cells[~cells["other_row"].to_numpy(bool) & ~cells[row].isin(rows)]
    if len(rest):
        extra = rest.groupby(row)[value].sum().reset_index()
        rows += extra.sort_values([value, row], ascending=[False, True], kind="mergesort")[row].tolist()
    # likewise columns shown whose programmes all belong to "All others" rows
    rest = cells[~cells["other_col"].to_numpy(bool) & ~cells[col].isin(cols)]
    if len(rest):
        extra = rest.groupby(col)[value].sum().reset_index()
        cols += extra.sort_values([value, col], ascending=[False, True], kind="mergesort")[col].tolist()
    other_row = cells.loc[cells["other_row"], row].iloc[0] if cells["other_row"].any() else None
    other_col = cells.loc[cells["other_col"], col].iloc[0] if cells["other_col"].any() else None
    cells = cells.assign(summary=summary)
    return MatrixView(cells, rows + ([other_row] if other_row else []), cols + ([other_col] if other_col else []),
                      int(frame["total_cols"].iloc[0]), int(frame["total_rows"].iloc[0]), other_row, other_col)


def heatmap(cells: pd.DataFrame, *, row: str, col: str, value: str, rows: list[str], cols: list[str],
            row_title: str, col_title: str, value_title: str, tooltip: list[alt.Tooltip],
            value_format: str = "d", cell: int = CELL, label_cells: bool = True) -> alt.Chart:
    """A matrix of coloured cells; only the rows of ``cells`` are drawn (no cell = empty).

    ``rows`` and ``cols`` fix the order and keep rows/columns without any cell visible.
    Each column is ``cell`` pixels wide, so a wide matrix scrolls rather than squeezes.
    """
    summary = cells["summary"].to_numpy(bool) if "summary" in cells.columns else np.zeros(len(cells), bool)
    scaled = cells.loc[~summary, value]
    vmax = float(scaled.max()) if len(scaled) else 1.0
    vmin = float(scaled.min()) if len(scaled) else 0.0
    if vmin == vmax:
        vmin = min(vmin, 0.0) if vmax > 0 else vmin - 1.0
    if "summary" not in cells.columns:
        cells = cells.assign(summary=summary)
    x = alt.X(f"{col}:N", title=col_title, scale=alt.Scale(domain=cols),
              axis=alt.Axis(orient="top", labelAngle=-50, labelLimit=150, labelPadding=4, labelOverlap=False,
                             ticks=False, domain=False))
    y = alt.Y(f"{row}:N", title=row_title, scale=alt.Scale(domain=rows),
              axis=alt.Axis(labelLimit=MAX_ROW_LABEL, labelOverlap=False, ticks=False, domain=False))
    base = alt.Chart().encode(x=x, y=y)  # the data once, on the layer chart (not once per layer)
    is_summary = "datum.summary"
    rect = base.transform_filter(f"!{is_summary}").mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(f"{value}:Q", title=value_title, scale=sequential_scale(domain=[vmin, vmax], zero=False),
                        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=220,
                                          format=value_format, tickMinStep=1 if value_format == "d" else alt.Undefined)),
        tooltip=tooltip,
    )
    layers = [rect]
    if summary.any():  # "All others": grey, outside the colour scale (it would swamp it), always labelled
        layers.append(base.transform_filter(is_summary).mark_rect(stroke="white", strokeWidth=1, color="#e6e6e6")
                      .encode(tooltip=tooltip))
        layers.append(base.transform_filter(is_summary).mark_text(fontSize=9, color="#333333").encode(
            text=alt.Text(f"{value}:Q", format=value_format), tooltip=tooltip))
    if label_cells and not cells.empty:
        mid = vmin + (vmax - vmin) * 0.5
        text = base.transform_filter(f"!{is_summary}").mark_text(fontSize=11 if value_format == "d" else 9).encode(
            text=alt.Text(f"{value}:Q", format=value_format),
            color=alt.condition(alt.datum[value] > mid, alt.value("white"), alt.value("black")),
            tooltip=tooltip,
        )
        layers.append(text)
    # the row labels again on the right, so they stay in sight when a wide matrix is scrolled
    if len(cols) >= RIGHT_LABELS_FROM:
        right = base.mark_rect(opacity=0).encode(
            y=alt.Y(f"{row}:N", title=None, scale=alt.Scale(domain=rows),
                    axis=alt.Axis(orient="right", labelLimit=140, labelOverlap=False, ticks=False, domain=False)))
        chart = alt.layer(right, *layers, data=cells).resolve_axis(y="independent")
    else:
        chart = alt.layer(*layers, data=cells)
    chart = chart.properties(width=alt.Step(cell), height=alt.Step(cell))
    return finish(chart)


# --------------------------------------------------------------------------------------
# The three heatmaps of the page
# --------------------------------------------------------------------------------------
def partner_country_view(frame: pd.DataFrame, top_n: int | None = None, order: str = "similarity") -> MatrixView:
    """``queries.overlap.partner_country`` cut and ordered (rows: partners, columns: countries)."""
    return matrix_view(frame, row="partner", col="country", value="programmes", top_n=top_n, order=order)


def partner_country_heatmap(view: MatrixView) -> alt.Chart:
    return heatmap(
        view.cells, row="partner", col="country", value="programmes", rows=view.rows, cols=view.cols,
        row_title="Partner", col_title=None, value_title="Programmes",
        tooltip=[alt.Tooltip("partner_name:N", title="Partner"), alt.Tooltip("country:N", title="Country"),
                 alt.Tooltip("iso3:N", title="ISO3"), alt.Tooltip("programmes:Q", title="Programmes")],
    )


def tool_country_view(frame: pd.DataFrame, top_n: int | None = None, order: str = "similarity") -> MatrixView:
    """``queries.overlap.tool_country`` cut and ordered (rows: tools, columns: countries)."""
    return matrix_view(frame, row="tool", col="country", value="programmes", top_n=top_n, order=order)


def tool_country_heatmap(view: MatrixView) -> alt.Chart:
    return heatmap(
        view.cells, row="tool", col="country", value="programmes", rows=view.rows, cols=view.cols,
        # no axis title: "Tool" sat on top of a long tool name; the caption says the rows are tools
        row_title=None, col_title=None, value_title="Programmes using the tool",
        tooltip=[alt.Tooltip("tool:N", title="Tool"), alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("country:N", title="Country"), alt.Tooltip("iso3:N", title="ISO3"),
                 alt.Tooltip("programmes:Q", title="Programmes"), alt.Tooltip("partners:N", title="Partners")],
    )


PAIR_CELL = 34
PAIR_METRICS = {"shared_countries": "Shared countries", "jaccard": "Jaccard similarity"}


def pair_order(pairs: pd.DataFrame, partners: list[str], order: str = "similarity") -> list[str]:
    """The order of the partner x partner axes.

    ``partners`` lists every partner to show (also those sharing no country). Similarity:
    the first correspondence-analysis axis of the symmetric shared-countries matrix, with
    each partner's own number of countries on the diagonal; totals: most countries first.
    """
    if order not in ORDER_CHOICES:
        raise ValueError(f"unknown order {order!r}")
    keys = pd.Index([str(p) for p in partners])
    values = np.zeros((len(keys), len(keys)))
    if len(pairs):
        ia = keys.get_indexer(pairs["partner_a"].astype(str))
        ib = keys.get_indexer(pairs["partner_b"].astype(str))
        ok = (ia >= 0) & (ib >= 0) & (ia != ib)
        values[ia[ok], ib[ok]] = pairs["shared_countries"].to_numpy(float)[ok]
        # each partner's own number of countries on the diagonal (1 when it is not in ``pairs``)
        own = np.ones(len(keys))
        has = ia >= 0
        own[ia[has]] = pairs["countries_a"].to_numpy(float)[has]
    else:
        own = np.ones(len(keys))
    values[np.arange(len(keys)), np.arange(len(keys))] = own
    matrix = pd.DataFrame(values, index=keys, columns=keys)
    if order == "totals":
        return _totals_order(matrix, 1)
    rows, _ = first_axis_order(matrix)
    return rows


def partner_pair_heatmap(pairs: pd.DataFrame, metric: str, order: list[str]) -> alt.Chart:
    """Partner x partner: shared countries or Jaccard similarity; the diagonal is left blank.

    ``order`` lists the partners (labels) in the order of both axes; partners in it that
    share no country with anyone still get their (empty) row and column.
    """
    if metric not in PAIR_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    return heatmap(
        pairs, row="partner_a", col="partner_b", value=metric, rows=order, cols=order,
        row_title="Partner", col_title=None, value_title=PAIR_METRICS[metric],
        value_format="d" if metric == "shared_countries" else ".2f", cell=PAIR_CELL,
        tooltip=[alt.Tooltip("partner_a:N", title="Partner"), alt.Tooltip("partner_b:N", title="With"),
                 alt.Tooltip("shared_countries:Q", title="Shared countries"),
                 alt.Tooltip("jaccard:Q", title="Jaccard similarity", format=".2f"),
                 alt.Tooltip("countries_a:Q", title="Countries of partner"),
                 alt.Tooltip("countries_b:Q", title="Countries of the other"),
                 alt.Tooltip("shared_names:N", title="Shared")],
    )


def chart_data(chart: alt.TopLevelMixin) -> pd.DataFrame:
    """The data a chart was built from (for tests and checks)."""
    data = chart.data
    if isinstance(data, pd.DataFrame):
        return data
    for layer in getattr(chart, "layer", []) or []:
        if isinstance(layer.data, pd.DataFrame):
            return layer.data
    raise ValueError("the chart has no inline DataFrame")

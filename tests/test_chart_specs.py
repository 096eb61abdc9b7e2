"""Charts of Data gaps, Partners & tools, Countries and meeting mode: each chart is built by a
plain builder of its view module (database + small hashable values in, Altair chart out),
validated here once against the Vega-Lite schema, and on the pages sent as a finished spec
cached per arguments and data generation: a warm rerun builds no chart, runs no Altair
conversion and prints no DataFrame."""

from __future__ import annotations

import ast
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from conftest import open_tab

from collab_data import meeting as M
from collab_data import runtime
from collab_data.db import get_database
from collab_data.filters import Filters
from collab_data.queries import countries as QC
from collab_data.views import countries as VC
from collab_data.views import gaps as VG
from collab_data.views import meeting as VMT
from collab_data.views import partners as VP

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/gaps.py", "pages/partners.py", "pages/countries.py", "pages/meeting.py", "pages/activities.py"]


# --------------------------------------------------------------------------------------
# every builder's spec validates (the validation the pages no longer run)
# --------------------------------------------------------------------------------------
def _builders(db) -> list[tuple[str, alt.TopLevelMixin]]:
    f, africa = Filters(), Filters(regions=("Sub-Saharan Africa",))
    series_id = VG.Q.minset_series(db)["series_id"].iloc[0]
    out = []
    for ff in (f, africa):
        for order in VG.ORDER_LABELS:
            for limit in VG.SHOW.values():
                out.append((f"dimension {order} {limit}", VG.dimension_chart(db, ff, False, order, limit, "count")))
                out.append((f"survey {order} {limit}", VG.survey_chart(db, ff, False, order, limit)))
        out.append(("dimension share", VG.dimension_chart(db, ff, True, VG.DEFAULT_ORDER, 30, "share")))
        out.append(("series", VG.series_chart(db, ff, series_id, False)))
        for y in ("openness", "overall"):
            out.append((f"odin {y}", VG.odin_chart(db, ff, False, y)))
        if VG.odin(db, ff, False).has_strip:
            out.append(("odin strip", VG.odin_strip_chart(db, ff, False)))
        out.append(("pipeline", VP.pipeline_chart(db, ff)))
        for key in QC.MEASURES:
            out.append((f"legend {key}", VC.legend_chart(db, ff, key)))
        for has in (True, False):
            out.append((f"slide legend {has}", VMT.map_legend_chart(db, ff, has)))
        out.append(("slide overlap", VMT.overlap_chart(db, ff)))
        out.append(("slide breakdown", VMT.breakdown_chart(db, ff, ())))
        out.append(("slide breakdown focus", VMT.breakdown_chart(db, ff, ("KEN", "SEN"))))
        out.append(("slide gap bars", VMT.gap_bars_chart(db, ff)))
    return out


def test_every_builder_gives_a_valid_spec(sample_db_path):
    built = _builders(get_database(sample_db_path))
    assert len(built) > 40
    for name, chart in built:
        assert isinstance(chart, alt.TopLevelMixin), name
        chart.to_dict(validate=True)


def test_builders_on_the_database_without_records(empty_db_path):
    db = get_database(empty_db_path)
    f = Filters()
    for chart in (VG.dimension_chart(db, f, False, VG.DEFAULT_ORDER, 30, "count"), VC.legend_chart(db, f, "gda_pct_any"),
                  VMT.map_legend_chart(db, f, False), VG.odin_chart(db, f, False, "openness")):
        chart.to_dict(validate=True)


def test_the_slide_charts_keep_their_sizes_and_type(sample_db_path):
    """The cached slide charts are exactly the meeting module's charts (ROOM type, fill)."""
    from collab_data.queries import overlap as QO

    db = get_database(sample_db_path)
    f = Filters()
    same = lambda a, b: a.to_json() == b.to_json()  # noqa: E731 (JSON: missing values compare equal)
    slide_view = M.overlap_slide_view(QO.partner_country_capped(db, f, M.OVERLAP_TOP, M.OVERLAP_TOP))
    assert same(VMT.overlap_chart(db, f), M.overlap_heatmap(slide_view, fill=True))
    VMT.overlap_chart(db, f).to_dict(validate=True)
    bars, _ = M.gap_countries(QO.gaps(db, f), limit=10)
    assert same(VMT.gap_bars_chart(db, f), M.gap_bars(bars, height="container"))
    view = VMT.gaps(db, f, ())
    assert same(VMT.breakdown_chart(db, f, ()),
                M.breakdown_heatmap(view.breakdown, series_total=view.series_total, cell=None))
    bigger = M.SlideType(label=24, value=26, title=28)
    assert VMT.overlap_chart(db, f, bigger).to_dict()["config"]["axis"]["labelFontSize"] == 24


def test_builders_take_only_small_hashable_arguments(sample_db_path):
    """What the pages pass to the cached builders can be hashed (the cache key), never a frame."""
    f = Filters()
    for args in [(f, False, VG.DEFAULT_ORDER, None, "count"), (f, "abc", True), (f, ("KEN",)), (f, M.ROOM)]:
        hash(args)


# --------------------------------------------------------------------------------------
# the pages: warm reruns build no chart
# --------------------------------------------------------------------------------------
@pytest.fixture()
def counted(monkeypatch):
    """Counts of chart builds, Altair conversions and DataFrame reprs while it is active."""
    counts = {"spec": 0, "to_dict": 0, "repr": 0}
    spec, to_dict, frame_repr = runtime.chart_spec, alt.TopLevelMixin.to_dict, pd.DataFrame.__repr__

    def counting_spec(chart):
        counts["spec"] += 1
        return spec(chart)

    def counting_to_dict(self, *a, **k):
        counts["to_dict"] += 1
        return to_dict(self, *a, **k)

    def counting_repr(self):
        counts["repr"] += 1
        return frame_repr(self)

    monkeypatch.setattr(runtime, "chart_spec", counting_spec)
    monkeypatch.setattr(alt.TopLevelMixin, "to_dict", counting_to_dict)
    monkeypatch.setattr(pd.DataFrame, "__repr__", counting_repr)
    return counts


def _charts(at) -> int:
    return len(at.get("vega_lite_chart"))


@pytest.mark.parametrize("page, query", [
    ("pages/gaps.py", {}),
    ("pages/gaps.py", {"region": ["Sub-Saharan Africa"]}),
    ("pages/partners.py", {"pt_tab": VP.TABS["pipeline"]}),
    ("pages/countries.py", {}),
    ("pages/meeting.py", {"slide": "2"}),
    ("pages/meeting.py", {"slide": "6"}),
    ("pages/meeting.py", {"slide": "7"}),
])
def test_a_warm_rerun_builds_no_chart(app_test, sample_db_path, counted, page, query):
    at = app_test(sample_db_path, page, **query)
    assert not at.exception
    drawn = _charts(at)
    assert drawn >= 1, "the page draws charts"
    assert counted["spec"] >= 1  # the first run built them (once each)
    first = dict(counted)
    at.run()
    assert not at.exception and _charts(at) == drawn
    assert counted == first, "a warm rerun built, converted or printed something"


def test_data_gaps_builds_each_chart_once_per_arguments(app_test, sample_db_path, counted):
    import streamlit as st

    at = app_test(sample_db_path, "pages/gaps.py")
    st.cache_data.clear()  # the page alone, cold (the first run also opened the start page)
    counted["spec"] = 0
    at.run()
    assert counted["spec"] == _charts(at) == 1, "only the open tab's chart is built"
    for label in list(VG.TABS.values())[1:]:
        open_tab(at, "gaps_tab", label)
    built = counted["spec"]
    assert built == 5, "five charts over the four tabs, each built once (the ODIN strip included)"
    open_tab(at, "gaps_tab", VG.TABS["dims"])
    assert counted["spec"] == built, "back to the first tab: cached"
    at.button_group(key="gaps_dim_measure").set_value("share").run()
    assert not at.exception and counted["spec"] == built + 1, "another measure: only that chart is built"
    at.button_group(key="gaps_dim_measure").set_value("count").run()
    assert counted["spec"] == built + 1, "back to the first measure: cached"


def test_the_pages_draw_no_altair_chart_and_hold_no_sql():
    """The pages only render: charts arrive as finished specs, no page builds one or queries."""
    for page in PAGES:
        tree = ast.parse((ROOT / page).read_text())
        imported = {a.name if isinstance(n, ast.Import) else n.module
                    for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        assert "altair" not in imported, page
        assert "collab_data.charts" not in imported and "duckdb" not in imported, page
        calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        assert "altair_chart" not in calls, page
    partners = (ROOT / "pages/partners.py").read_text()
    assert "collab_data.queries" not in partners and "pd.DataFrame(" not in partners


def test_a_kpi_trend_line_is_a_small_image_that_breaks_where_data_is_missing():
    import base64
    import re

    from collab_data.charts.sparkline import points, sparkline

    assert points([1, 2, None, 4, 3], 120, 28) == [[(3.0, 25.0), (31.5, 17.7)], [(88.5, 3.0), (117.0, 10.3)]]
    img = sparkline([1, 2, None, 4, 3], color="#A63F00", alt="Q1: 1 & <b>")
    assert img.startswith("<img ") and 'alt="Q1: 1 &amp; &lt;b&gt;"' in img  # escaped, never markup
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", img).group(1)).decode()
    assert svg.count("<polyline") == 2 and 'stroke="#A63F00"' in svg
    assert sparkline([None, 5, None], color="#000", alt="x") == ""  # one quarter is not a trend
    assert sparkline([3, 3, 3], color="#000", alt="flat").startswith("<img ")

"""Meeting mode: the slide agenda (pure) and the page stepping through its slides (AppTest)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from collab_data import meeting as M
from collab_data.db import get_database
from collab_data.maps import WORLD_VIEW

PAGE = "pages/meeting.py"


# --------------------------------------------------------------------------------------
# The agenda (pure)
# --------------------------------------------------------------------------------------
def kinds(slides):
    return [s.kind for s in slides]


def test_agenda_one_spotlight_per_chosen_country():
    slides = M.agenda([("KEN", "Kenya"), ("UGA", "Uganda")], [("SEN", "Senegal")])
    assert kinds(slides) == ["kpis", "map", "spotlight", "spotlight", "overlap", "gaps", "latest"]
    assert [s.title for s in slides[2:4]] == ["Kenya spotlight", "Uganda spotlight"]
    assert [s.iso3 for s in slides[2:4]] == ["KEN", "UGA"]
    assert all(s.chosen for s in slides[2:4]), "chosen countries win over the top list"


def test_agenda_without_chosen_countries_spotlights_the_top_ones():
    slides = M.agenda([], [("SEN", "Senegal"), ("KEN", "Kenya"), ("IND", "India")])
    assert len(slides) == 8
    assert [s.iso3 for s in slides if s.kind == "spotlight"] == ["SEN", "KEN", "IND"]
    assert not any(s.chosen for s in slides)


def test_agenda_without_any_country_keeps_one_explaining_spotlight():
    slides = M.agenda([], [])
    assert kinds(slides) == ["kpis", "map", "spotlight", "overlap", "gaps", "latest"]
    assert slides[2].iso3 is None and slides[2].title == M.NO_SPOTLIGHT_TITLE


def test_titles_are_distinct_and_iconed():
    slides = M.agenda([("KEN", "Kenya")])
    assert len({s.title for s in slides}) == len(slides)
    assert all(s.icon and not s.icon.startswith(":material") for s in slides)


@pytest.mark.parametrize(("raw", "total", "expected"), [
    (None, 8, 1), ("3", 8, 3), (3, 8, 3), ("3.0", 8, 3), (["2", "5"], 8, 5), ("99", 8, 8), (99, 8, 8),
    ("0", 8, 1), ("-4", 8, 1), ("abc", 8, 1), ("", 8, 1), ("nan", 8, 1), ("inf", 8, 1), (True, 8, 1), ("2", 0, 1),
])
def test_clamp(raw, total, expected):
    assert M.clamp(raw, total) == expected


def test_next_and_previous_stop_at_the_ends():
    assert [M.next_number(n, 4) for n in (1, 2, 3, 4)] == [2, 3, 4, 4]
    assert [M.previous_number(n, 4) for n in (1, 2, 3, 4)] == [1, 1, 2, 3]
    assert M.next_number(99, 4) == 4 and M.previous_number(99, 4) == 3


def test_indicator_and_agenda_label():
    slides = M.agenda([("KEN", "Kenya")])
    assert M.indicator(3, slides) == "3 / 6 · Kenya spotlight"
    assert M.indicator(42, slides) == "6 / 6 · Latest activities and new collaborations"
    assert M.agenda_label(3, slides[2]) == "3 · Kenya spotlight"


def test_chosen_countries_by_name():
    names = {"UGA": "Uganda", "KEN": "Kenya", "CIV": "Côte d'Ivoire"}
    assert M.chosen_countries(("UGA", "KEN", "CIV"), names) == [("CIV", "Côte d'Ivoire"), ("KEN", "Kenya"),
                                                               ("UGA", "Uganda")]
    assert M.chosen_countries(("XYZ",), names) == [("XYZ", "XYZ")]


def test_top_countries_by_partners_then_programmes_then_name():
    measures = pd.DataFrame({
        "iso3": ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"],
        "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
        "in_scope": [True, True, True, True, False, True],
        "partners": [3, 5, 3, 3, None, 0],
        "programmes": [4, 1, 9, 4, None, 0],
    })
    assert M.top_countries(measures) == [("BBB", "Beta"), ("CCC", "Gamma"), ("AAA", "Alpha")]
    assert M.top_countries(measures, n=10) == [("BBB", "Beta"), ("CCC", "Gamma"), ("AAA", "Alpha"), ("DDD", "Delta")]
    nobody = measures.assign(partners=0)
    assert M.top_countries(nobody) == [], "a country without any partner is never top"
    assert M.top_countries(measures.iloc[0:0]) == []


def test_text_helpers():
    assert M.day(date(2026, 11, 6)) == "6 Nov 2026" and M.day(None) == ""
    assert M.shorten("a  b\nc") == "a b c"
    long = "word " * 40
    cut = M.shorten(long, 30)
    assert len(cut) <= 30 and cut.endswith("…")
    assert M.shorten(None) == "" and M.shorten(float("nan")) == ""
    assert M.more(5, 7, "partner") == "and 2 more partners" and M.more(5, 5, "partner") == ""
    assert M.more(5, 6, "partner") == "and 1 more partner", "one is singular"
    assert M.more(1, 3, "country", "countries") == "and 2 more countries"
    assert M.more(5, 6, "on the Overlap page", "on the Overlap page") == "and 1 more on the Overlap page"


def test_partner_activity_and_collaboration_lines():
    partners = pd.DataFrame({"partner": ["Data2X", "UNICEF"], "active": [True, False], "programmes": [2, 1],
                             "tools": ["Tool A; Tool B", None]})
    assert M.partner_lines(partners) == ["Data2X — 2 programmes · Tool A; Tool B", "UNICEF — 1 programme (planned)"]
    acts = pd.DataFrame({"date": [pd.Timestamp("2026-11-06")], "title": ["Training on X"], "type": ["Training"],
                         "partners": ["ODW; UN Women"]})
    assert M.activity_lines(acts) == ["6 Nov 2026 · Training on X (ODW; UN Women)"]
    recorded = pd.DataFrame({"started": [pd.Timestamp("2026-10-01")], "title": ["Joint guide"], "partners": ["A; B"]})
    pairs = pd.DataFrame({"first_together": [pd.Timestamp("2026-11-01")], "partner_a": ["A"], "partner_b": ["C"],
                          "activity": ["Webinar"]})
    lines = M.collaboration_lines(recorded, pairs)
    assert lines == ["1 Nov 2026 · First time together: A and C (Webinar)", "1 Oct 2026 · Joint guide (A; B)"]
    dims = pd.DataFrame({"dimension": ["Sex", "Disability"], "n_tools": [2, 0]})
    assert M.uncovered_dimensions(dims) == ["Disability"]


def test_collaboration_window():
    as_of = date(2026, 11, 19)
    assert M.collaboration_window("all", as_of) == (date(2025, 11, 20), as_of, "the last 12 months")
    assert M.collaboration_window("2025-H1", as_of) == (date(2025, 1, 1), date(2025, 6, 30), "H1 2025")
    assert M.collaboration_window("all", None)[0] is None


def test_overlap_view_keeps_the_countries_with_most_partners():
    frame = pd.DataFrame({
        "partner": ["P1", "P2", "P3", "P1", "P2", "P1"],
        "partner_name": ["P1", "P2", "P3", "P1", "P2", "P1"],
        "country": ["A", "A", "A", "B", "B", "C"],
        "iso3": ["AAA", "AAA", "AAA", "BBB", "BBB", "CCC"],
        "programmes": [1, 1, 1, 5, 1, 9],
    })
    view = M.overlap_view(frame, n=2)
    assert set(view.rows) == {"A", "B"} and view.total_cols == 3, "total_cols: the countries before the cut"
    assert set(view.cols) == {"P1", "P2", "P3"}
    spec = M.overlap_heatmap(view).to_dict()
    assert spec["config"]["axis"]["labelFontSize"] == M.LABEL_SIZE
    empty = M.overlap_view(frame.iloc[0:0])
    assert empty.rows == [] and empty.cols == []


def test_gap_countries_never_rank_missing_values():
    gaps = pd.DataFrame({"iso3": ["A", "B", "C", "D"], "country": ["Aa", "Bb", "Cc", "Dd"],
                         "availability": [None, 40.0, 12.5, None], "n_partners": [0, 1, 0, 0],
                         "partners": [None, "ODW", None, None]})
    shown, missing = M.gap_countries(gaps, limit=5)
    assert shown["iso3"].tolist() == ["C", "B"] and missing == 2
    data = M.gap_bars(shown).to_dict()
    labels = [d["label"] for d in next(iter(data["datasets"].values()))]
    assert labels == ["12 % · no partner", "40 % · ODW"]


def test_row_step_and_slide_view():
    assert M.row_step(3, 300) == 46 and M.row_step(10, 300) == 30 and M.row_step(0, 300) == 46
    assert M.slide_view(dict(WORLD_VIEW), WORLD_VIEW, 0.8)["zoom"] == 0.8
    fitted = {"latitude": 1.0, "longitude": 35.0, "zoom": 3.2}
    assert M.slide_view(fitted, WORLD_VIEW, 0.8) == fitted


# --------------------------------------------------------------------------------------
# The page (AppTest)
# --------------------------------------------------------------------------------------
def title(at) -> str:
    return at.title[0].value


def indicator(at) -> str:
    return next(m.value for m in at.markdown if " / " in m.value and m.value.startswith("**"))


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts)


TOP3 = """
    SELECT c.iso3, c.name, count(DISTINCT cp.partner_id) FILTER (WHERE cp.status <> 'planned') AS partners,
           count(*) AS programmes
    FROM country_programs cp JOIN countries c USING (iso3)
    GROUP BY c.iso3, c.name
    HAVING partners > 0
    ORDER BY partners DESC, programmes DESC, c.name
    LIMIT 3
"""


def test_every_slide_renders_on_the_sample(app_test, sample_db_path):
    top = get_database(sample_db_path).query(TOP3)["name"].tolist()
    expected = ["Key figures", "Where partners work", *[f"{c} spotlight" for c in top], "Overlap: who works where",
                "Data gaps", "Latest activities and new collaborations"]
    for n, name in enumerate(expected, start=1):
        at = app_test(sample_db_path, PAGE, slide=str(n))
        assert not at.exception, (n, at.exception)
        assert title(at).endswith(name), (n, title(at))
        assert indicator(at).startswith(f"**{n} / {len(expected)} · "), indicator(at)
        assert at.session_state["slide"] == n
        if "spotlight" in name:
            assert "top 3 countries by partners active" in texts(at), "the slide says why the country is shown"
            assert len(at.metric) == 4
        if n == 1:  # every KPI, the ones off track first (as on Overview)
            from collab_data import metrics
            assert len(at.metric) == len(metrics.KPIS)
            statuses = [m.value for m in at.markdown if "track" in m.value or "risk" in m.value]
            assert statuses and "Off track" in statuses[0], statuses
        if n == 2:
            assert len(at.get("deck_gl_json_chart")) == 1
        if name.startswith(("Overlap", "Data gaps")):
            assert len(at.get("vega_lite_chart")) >= 1


def test_next_previous_and_agenda_move_through_the_url(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, slide="3")
    assert at.session_state["slide"] == 3
    at.button(key="meeting_next").click().run()
    assert not at.exception
    assert at.session_state["slide"] == 4
    assert at.query_params["slide"] in ("4", ["4"]), "the slide number is in the URL"
    assert indicator(at).startswith("**4 / 8")
    at.button(key="meeting_prev").click().run()
    at.button(key="meeting_prev").click().run()
    assert at.session_state["slide"] == 2 and title(at).endswith("Where partners work")
    at.button(key="meeting_goto_7").click().run()
    assert at.session_state["slide"] == 7 and title(at).endswith("Data gaps")
    assert at.session_state["meeting_agenda"] is False, "choosing a slide closes the agenda"
    at.button(key="meeting_pagedown").click().run()
    assert at.session_state["slide"] == 8
    assert at.button(key="meeting_next").disabled, "the last slide has no next"
    at.number_input(key="slide").set_value(1).run()
    assert title(at).endswith("Key figures") and at.button(key="meeting_prev").disabled


def test_buttons_have_keyboard_shortcuts(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, slide="2")
    shortcuts = {key: at.button(key=key).proto.shortcut
                 for key in ("meeting_prev", "meeting_next", "meeting_pageup", "meeting_pagedown")}
    assert shortcuts == {"meeting_prev": "left", "meeting_next": "right", "meeting_pageup": "pageup",
                         "meeting_pagedown": "pagedown"}


def test_url_filters_make_one_spotlight_per_chosen_country(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, slide="3", country=["Kenya", "Uganda"])
    assert not at.exception
    assert title(at).endswith("Kenya spotlight")
    assert indicator(at).startswith("**3 / 7 · Kenya spotlight")
    assert "Chosen in the Countries filter".lower() in texts(at).lower()
    assert "Kenya or Uganda" in texts(at), "the filters are named on every slide"
    at.button(key="meeting_next").click().run()
    assert title(at).endswith("Uganda spotlight")
    at.button(key="meeting_next").click().run()
    assert title(at).endswith("Overlap: who works where")
    agenda = [b.label for b in at.button if b.key and b.key.startswith("meeting_goto_")]
    assert agenda == ["1 · Key figures", "2 · Where partners work", "3 · Kenya spotlight", "4 · Uganda spotlight",
                      "5 · Overlap: who works where", "6 · Data gaps", "7 · Latest activities and new collaborations"]


@pytest.mark.parametrize(("raw", "expected"), [("99", 8), ("0", 1), ("abc", 1)])
def test_out_of_range_slide_is_clamped(app_test, sample_db_path, raw, expected):
    at = app_test(sample_db_path, PAGE, slide=raw)
    assert not at.exception, at.exception
    assert at.session_state["slide"] == expected
    assert indicator(at).startswith(f"**{expected} / 8")


def test_fewer_slides_after_a_filter_change_clamps_the_number(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, slide="8")
    assert at.session_state["slide"] == 8
    at.multiselect(key="country").set_value(["KEN"]).run()
    assert not at.exception
    assert at.session_state["slide"] == 6, "one spotlight instead of three: the last slide is now 6"
    assert title(at).endswith("Latest activities and new collaborations")


def test_every_slide_explains_itself_on_the_empty_database(app_test, empty_db_path):
    for n in range(1, 7):
        at = app_test(empty_db_path, PAGE, slide=str(n))
        assert not at.exception, (n, at.exception)
        assert indicator(at).startswith(f"**{n} / 6"), indicator(at)
        assert at.info, f"slide {n} explains what is missing"
        assert "recorded" in texts(at)
    assert title(app_test(empty_db_path, PAGE, slide="3")).endswith(M.NO_SPOTLIGHT_TITLE)


# --------------------------------------------------------------------------------------
# Slides that fill the screen: chart type for a room, whole titles, the views, the style
# --------------------------------------------------------------------------------------
def _font_sizes(spec) -> list[int]:
    """Every font size a Vega-Lite spec sets (config, marks, axes, legends)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k.lower().endswith("fontsize") and isinstance(v, (int, float)):
                    found.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return found


def test_slide_charts_write_every_label_at_16_px_or_more(sample_db_path):
    from collab_data.queries import gaps as QG
    from collab_data.queries import overlap as QO

    db = get_database(sample_db_path)
    from collab_data.filters import Filters

    f = Filters()
    cells = QG.dimension_availability(db, f)
    cells = cells[cells["iso3"].isin(["KEN", "SEN", "IND"])]
    bars, _ = M.gap_countries(QO.gaps(db, f), limit=10)
    specs = [M.overlap_heatmap(M.overlap_view(QO.partner_country(db, f)), fill=True).to_dict(),
             M.breakdown_heatmap(cells, cell=None).to_dict(), M.gap_bars(bars, height="container").to_dict()]
    for spec in specs:
        sizes = _font_sizes(spec)
        assert sizes and min(sizes) >= 16, sizes
    bigger = M.SlideType(label=24, value=26, title=28)
    spec = M.overlap_heatmap(M.overlap_view(QO.partner_country(db, f)), type_=bigger).to_dict()
    assert spec["config"]["axis"]["labelFontSize"] == 24 and 26 in _font_sizes(spec), "the builders take the type"


def test_spotlight_titles_are_whole_and_plurals_agree(sample_db_path):
    from collab_data.filters import Filters
    from collab_data.views import meeting as VM

    db = get_database(sample_db_path)
    d = VM.deck(db, Filters())
    assert d.as_of_words == "data as of 19 Nov 2026"
    for slide in [s for s in d.slides if s.kind == "spotlight"]:
        view = VM.spotlight(db, Filters(), slide, d.has_programmes)
        lines = view.partners.lines + view.activities.lines
        assert lines and not any(line.endswith("…") or "…)" in line for line in lines), lines
        assert "1 more partners" not in view.partners.tail
        for _, value, _ in view.metrics:
            assert str(value) not in ("None", "nan")
    latest = VM.latest(db, Filters())
    assert latest.activities.lines and not any("…" in line for line in latest.activities.lines)


def test_style_comes_from_templates_with_autoescape():
    from collab_data.views import meeting as VM

    style = VM.style_html()
    assert style.startswith("<style>") and "clamp(" in style and "max-width: 640px" in style
    assert "<script" not in style
    fill = VM.fill_html("meeting_fill_x", "min(calc(100vh - 11rem), 40rem)", max_width="30rem")
    assert ".st-key-meeting_fill_x { height: min(calc(100vh - 11rem), 40rem);" in fill and "max-width: 30rem" in fill
    assert "&lt;" in VM.fill_html("x", "</style><script>")  # a value cannot close the style block


def test_overlap_slide_is_the_bounded_top_n_heatmap(sample_db_path, monkeypatch):
    """The slide draws at most the top OVERLAP_TOP partners x countries (cut in SQL) plus
    grey "All others", its totals add up to every programme in view, and it states the rule."""
    from collab_data.filters import Filters
    from collab_data.queries import overlap as QO
    from collab_data.views import meeting as VM

    db = get_database(sample_db_path)
    f = Filters()
    monkeypatch.setattr(M, "OVERLAP_TOP", 5)
    view = VM.overlap_view(db, f)
    assert len(view.rows) <= 6 and len(view.cols) <= 6
    assert view.other_row and view.other_row.startswith("All others")
    assert view.total_rows > 5, "total_rows: the countries in view before the cut"
    assert int(view.cells["programmes"].sum()) == int(QO.partner_country(db, f)["programmes"].sum())
    assert view.cells.loc[view.cells["summary"], "country"].eq(view.other_row).any()
    slide = VM.overlap(db, f)
    assert f"of {view.total_rows} countries by programmes" in slide.caption
    assert "All others" in slide.caption
    spec = M.overlap_heatmap(view, fill=True).to_dict()
    assert M.OTHERS_GREY in json.dumps(spec)

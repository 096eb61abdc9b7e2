"""The Countries page on the sample and the empty database, checked against SQL written here.

The expected numbers are computed independently of :mod:`collab_data.queries` (plain SQL
over the tables), with the filter semantics spelled out: a programme counts for a period
when it overlaps it; partners active exclude planned programmes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from collab_data import ui
from collab_data.db import get_database

PAGE = "pages/countries.py"


def sql(db_path, query: str, params=None) -> pd.DataFrame:
    return get_database(db_path).query(query, params)


def frame_with(at, column: str) -> pd.DataFrame:
    """The (first) dataframe shown that has ``column``."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in ("info", "warning", "success") for a in getattr(at, kind)]
    return "\n".join(parts)


GENDER_2025 = """
    SELECT cp.iso3,
           count(DISTINCT cp.partner_id) FILTER (WHERE cp.status <> 'planned') AS partners,
           count(*) AS programmes
    FROM country_programs cp
    WHERE cp.partner_id IN (SELECT partner_id FROM partner_memberships WHERE collab_id = 'gender')
      AND cp.start_date <= DATE '2025-12-31'
      AND (cp.end_date IS NULL OR cp.end_date >= DATE '2025-01-01')
    GROUP BY cp.iso3
"""


def test_partners_active_per_country_gender_2025(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, collab="Gender", period="2025")
    assert not at.exception, at.exception
    assert at.session_state["measure"] == "partners"
    shown = frame_with(at, "ISO3")
    expected = sql(sample_db_path, GENDER_2025).set_index("iso3")["partners"].to_dict()
    all_countries = set(sql(sample_db_path, "SELECT iso3 FROM countries")["iso3"])
    assert set(shown["ISO3"]) == all_countries, "no country filter: every country is listed"
    got = dict(zip(shown["ISO3"], shown["Partners active"]))
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
    assert sum(got.values()) > 0
    assert list(shown["Partners active"]) == sorted(shown["Partners active"], reverse=True)
    assert len(at.get("deck_gl_json_chart")) == 1
    assert any(b.label.startswith("⬇ Country table") for b in at.get("download_button"))


def test_programmes_per_country_in_a_region(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, region=["Sub-Saharan Africa"], measure="Programmes")
    assert not at.exception, at.exception
    shown = frame_with(at, "ISO3")
    ssa = sql(sample_db_path, "SELECT iso3 FROM countries WHERE wb_region = 'Sub-Saharan Africa'")["iso3"]
    assert set(shown["ISO3"]) == set(ssa)
    expected = sql(sample_db_path, """
        SELECT cp.iso3, count(*) AS programmes,
               count(DISTINCT cp.partner_id) FILTER (WHERE cp.status <> 'planned') AS partners
        FROM country_programs cp JOIN countries c USING (iso3)
        WHERE c.wb_region = 'Sub-Saharan Africa' GROUP BY cp.iso3
    """).set_index("iso3")
    for iso3, programmes, partners in zip(shown["ISO3"], shown["Programmes"], shown["Partners active"]):
        assert programmes == (expected.loc[iso3, "programmes"] if iso3 in expected.index else 0), iso3
        assert partners == (expected.loc[iso3, "partners"] if iso3 in expected.index else 0), iso3
    assert list(shown.columns) == ["Country", "ISO3", "Region", "Income group", "Programmes", "Partners active"]


def test_lnob_measure_and_underserved_score(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, country=["Kenya", "Uganda", "Tuvalu"], measure="Underserved score")
    assert not at.exception, at.exception
    shown = frame_with(at, "ISO3").set_index("ISO3")
    assert set(shown.index) == {"KEN", "UGA", "TUV"}
    facts = sql(sample_db_path, """
        SELECT c.iso3, v.value AS pct,
               (SELECT count(DISTINCT partner_id) FROM country_programs p
                 WHERE p.iso3 = c.iso3 AND p.status <> 'planned') AS partners
        FROM countries c JOIN indicator_values v ON v.iso3 = c.iso3 AND v.indicator_id = 'gda_pct_any'
        WHERE c.iso3 IN ('KEN', 'UGA', 'TUV')
    """).set_index("iso3")
    for iso3, r in facts.iterrows():
        score = round(100 * (100 - r["pct"]) / 100 / (1 + r["partners"]), 1)
        assert shown.loc[iso3, "Underserved score"] == pytest.approx(score), iso3
        assert shown.loc[iso3, "Partners active"] == r["partners"]
    assert "Underserved score" in texts(at) or "underserved" in texts(at).lower()

    at = app_test(sample_db_path, PAGE, country=["Kenya", "Norway"], measure="LNOB data availability (%)")
    assert not at.exception, at.exception
    shown = frame_with(at, "ISO3").set_index("ISO3")
    values = sql(sample_db_path, "SELECT iso3, value FROM indicator_values WHERE indicator_id = 'gda_pct_any' "
                                 "AND iso3 IN ('KEN', 'NOR')").set_index("iso3")["value"]
    for iso3 in ("KEN", "NOR"):
        if iso3 in values.index:
            assert shown.loc[iso3, "LNOB data availability (%)"] == pytest.approx(values[iso3])
        else:
            assert pd.isna(shown.loc[iso3, "LNOB data availability (%)"])
            assert shown.loc[iso3, "Status"] == "No data"


def test_high_income_countries_are_not_scored(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, country=["Norway", "Kenya"], measure="Underserved score")
    assert not at.exception, at.exception
    shown = frame_with(at, "ISO3").set_index("ISO3")
    assert pd.isna(shown.loc["NOR", "Underserved score"])
    assert shown.loc["NOR", "Status"].startswith("Not scored")
    assert shown.loc["KEN", "Underserved score"] > 0


def test_profile_of_kenya_matches_sql(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, collab="Gender", period="2025")
    assert not at.exception, at.exception
    at.selectbox(key="profile").set_value("KEN").run()
    assert not at.exception, at.exception
    assert any(s.value == "Kenya" for s in at.subheader)

    programmes = sql(sample_db_path, """
        SELECT coalesce(p.acronym, p.name) AS partner, cp.status, cp.start_date
        FROM country_programs cp JOIN partners p USING (partner_id)
        WHERE cp.iso3 = 'KEN'
          AND cp.partner_id IN (SELECT partner_id FROM partner_memberships WHERE collab_id = 'gender')
          AND cp.start_date <= DATE '2025-12-31'
          AND (cp.end_date IS NULL OR cp.end_date >= DATE '2025-01-01')
    """)
    assert not programmes.empty
    shown_programmes = frame_with(at, "Support")
    assert len(shown_programmes) == len(programmes)
    assert sorted(shown_programmes["Partner"]) == sorted(programmes["partner"])
    assert sorted(shown_programmes["Status"]) == sorted(programmes["status"])

    shown_partners = frame_with(at, "Tools used here")
    assert set(shown_partners["Partner"]) == set(programmes["partner"])
    active = set(programmes.loc[programmes["status"] != "planned", "partner"])
    metric = next(m for m in at.metric if m.label == "Partners active")
    assert int(metric.value) == len(active)

    missing = sql(sample_db_path, """
        SELECT d.label FROM lnob_dimensions d
        WHERE NOT EXISTS (
            SELECT 1 FROM tool_dimensions td JOIN country_programs cp ON cp.tool_id = td.tool_id
            WHERE td.dimension_id = d.dimension_id AND cp.iso3 = 'KEN' AND cp.status <> 'planned'
              AND cp.partner_id IN (SELECT partner_id FROM partner_memberships WHERE collab_id = 'gender')
              AND cp.start_date <= DATE '2025-12-31'
              AND (cp.end_date IS NULL OR cp.end_date >= DATE '2025-01-01'))
        ORDER BY d.sort_order
    """)["label"].tolist()
    assert 0 < len(missing) < 8
    dims = frame_with(at, "Addressed")
    assert dims.loc[dims["Addressed"] == "no", "Dimension"].tolist() == missing
    body = texts(at)
    for label in missing:
        assert f":red-badge[❌ {label}]" in body
    for label in set(dims["Dimension"]) - set(missing):
        assert f":red-badge[❌ {label}]" not in body

    # LNOB indicators against the medians of the region and the income group
    ind = frame_with(at, "Region median").set_index("Indicator")
    med = sql(sample_db_path, """
        SELECT median(v.value) FILTER (WHERE c.wb_region = 'Sub-Saharan Africa') AS region_median,
               count(*) FILTER (WHERE c.wb_region = 'Sub-Saharan Africa') AS region_n,
               median(v.value) FILTER (WHERE c.income_group = 'Lower middle income') AS income_median
        FROM indicator_values v JOIN countries c USING (iso3)
        WHERE v.indicator_id = 'gda_pct_any' AND v.status = 'value'
    """).iloc[0]
    row = ind.loc["Gender series with any data"]
    assert row["Region median"] == pytest.approx(round(med["region_median"], 1))
    assert row["Income-group median"] == pytest.approx(round(med["income_median"], 1))
    assert row["n region"] == med["region_n"]
    own = sql(sample_db_path, "SELECT value FROM indicator_values WHERE iso3 = 'KEN' AND indicator_id = 'gda_pct_any'")
    assert row["Kenya"] == f"{own['value'].iloc[0]:.1f} %"
    status = sql(sample_db_path, "SELECT status FROM indicator_values WHERE iso3 = 'KEN' AND indicator_id = 'gda_n_disability'")
    if status["status"].iloc[0] == "not_disaggregated":
        assert ind.loc["Series disaggregated by disability", "Kenya"] == "Not disaggregated"

    labels = [b.label for b in at.get("download_button")]
    for name in ("Partners", "Programmes", "Indicators", "Dimensions"):
        assert any(label.startswith(f"⬇ {name}") for label in labels), labels


def test_profile_follows_the_url(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, region=["Sub-Saharan Africa"], profile="Senegal")
    assert not at.exception, at.exception
    assert at.session_state["profile"] == "SEN"
    assert any(s.value == "Senegal" for s in at.subheader)
    options = at.selectbox(key="profile").options
    assert "Senegal" in options and "India" not in options, "the profile offers the countries in the filters"


def test_empty_database(app_test, empty_db_path):
    at = app_test(empty_db_path, PAGE)
    assert not at.exception, at.exception
    assert at.session_state["measure"] == "gda_pct_any", "without programmes the map starts on an LNOB measure"
    assert len(at.get("deck_gl_json_chart")) == 1, "the real LNOB measures can still be mapped"
    shown = frame_with(at, "ISO3")
    assert "Partners active" not in shown.columns
    assert shown["LNOB data availability (%)"].notna().sum() > 150

    at = app_test(empty_db_path, PAGE, measure="Partners active")
    assert not at.exception, at.exception
    assert len(at.get("deck_gl_json_chart")) == 0
    body = texts(at)
    assert "No programmes of the collaboratives are recorded yet" in body
    assert ui.NO_COLLAB_DATA_HOW in body

    at.selectbox(key="profile").set_value("KEN").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Partners active"] == "—", "not 0: nothing is recorded"
    assert "Region median" in frame_with(at, "Region median").columns

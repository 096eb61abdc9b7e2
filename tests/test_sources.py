"""Each quirk of the bundled public files, handled by its loader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from collab_data import sources
from collab_data.build import LNOB_FILES, REFERENCE_FILES
from collab_data.db import DATA_DIR
from collab_data.sources import Skipped, SourceError

WB = DATA_DIR / REFERENCE_FILES["wb"]
M49 = DATA_DIR / REFERENCE_FILES["m49"]
CL = DATA_DIR / REFERENCE_FILES["cl_area"]
NE = DATA_DIR / REFERENCE_FILES["shapes"]
ODIN = DATA_DIR / LNOB_FILES["odin"]
SURVEYS = DATA_DIR / LNOB_FILES["surveys"]
SUMMARY = DATA_DIR / LNOB_FILES["summary"]
SERIES = DATA_DIR / LNOB_FILES["series"]
CATALOG = DATA_DIR / LNOB_FILES["catalog"]


@pytest.fixture(scope="module")
def known() -> set[str]:
    return set(sources.load_m49_groups(M49)["iso3"]) | {"XKX"}


def test_bom_is_stripped_from_the_first_header():
    assert WB.read_bytes().startswith(b"\xef\xbb\xbf")
    economies, _ = sources.load_wb_income(WB)
    assert "wb_code" in economies.columns and len(economies) == 218


def test_wb_blank_separator_rows_split_economies_from_aggregates():
    economies, aggregates = sources.load_wb_income(WB)
    assert "WLD" in set(aggregates["code"]) and "SSF" in set(aggregates["code"])
    assert "WLD" not in set(economies["wb_code"])
    assert not (aggregates["code"] == "").any()
    assert economies.set_index("wb_code").loc["XKX", "wb_name"] == "Kosovo"
    assert economies.set_index("wb_code").loc["VEN", "income_group"] is None  # unclassified, not guessed


def test_m49_flags_and_namibia_iso2():
    m49 = sources.load_m49_groups(M49).set_index("iso3")
    assert m49.loc["NAM", "iso2"] == "NA"  # not read as a missing value
    assert m49.loc["AFG", "is_ldc"] and m49.loc["AFG", "is_lldc"] and not m49.loc["AFG", "is_sids"]
    assert m49.loc["FJI", "is_sids"]
    assert m49["is_ldc"].sum() == 46


def test_cl_area_keeps_countries_only():
    cl = sources.load_cl_area(CL).set_index("iso3")
    assert "TON" in cl.index and cl.loc["TON", "lon"] == pytest.approx(-175.196, abs=1e-3)
    assert cl["cl_name"].str.contains("Americas").sum() == 0  # region rows left out


def test_natural_earth_kosovo_minus_99_resolves_by_name():
    skipped = Skipped()
    shapes = sources.load_ne_shapes(NE, skipped)
    assert "XKX" in set(shapes["iso3"])
    assert "-99" not in set(shapes["iso3"])


def test_odin_newline_headers_and_trailing_timestamp(known):
    raw = sources.read_csv_lines(ODIN, required=["Machine readable", "First administrative level"])
    assert "Machine readable" in raw.columns  # "Machine readable\n" cleaned
    assert not raw.iloc[-1]["Year"].isdigit()  # the timestamp row is there in the file ...
    skipped = Skipped()
    values = sources.load_odin(ODIN, known, skipped)  # ... and does not break the loader
    assert set(values["year"]) == {2022}
    # non-ISO ADO is Andorra, XKX stays Kosovo
    assert {"AND", "XKX"} <= set(values["iso3"])
    assert "ADO" not in set(values["iso3"])


def test_odin_zero_coverage_keeps_openness_missing_not_zero(known):
    values = sources.load_odin(ODIN, known, Skipped()).set_index(["indicator_id", "iso3"])
    dza_cov = values.loc[("odin_gender_coverage", "DZA")]
    assert dza_cov["value"] == 0.0 and dza_cov["status"] == "value"  # ODIN assessed and scored 0
    dza_open = values.loc[("odin_gender_openness", "DZA")]
    assert pd.isna(dza_open["value"]) and dza_open["status"] == "not_published"


def test_survey_counts_skip_region_rows_and_former_states(known):
    skipped = Skipped()
    values = sources.load_survey_counts(SURVEYS, known, skipped)
    assert "ANT" not in set(values["iso3"])  # Netherlands Antilles: a former entity
    assert any("region row 'Africa'" in s for s in skipped.items)
    assert any("ANT" in s for s in skipped.items)
    assert "XKX" in set(values["iso3"])
    zero = values[values["status"] == "not_collected"]
    assert len(zero) > 0 and zero["value"].isna().all()  # no survey held: missing, never 0
    assert (values.loc[values["status"] == "value", "value"] > 0).all()


@pytest.fixture(scope="module")
def series(known) -> pd.DataFrame:
    catalog = sources.load_minset_catalog(CATALOG)
    return sources.load_gda_series(SERIES, known, set(catalog["series_id"]), Skipped())


def test_gda_indicators_missing_is_never_zero(series, known):
    values = sources.gda_indicators(series, 89, known)
    assert (values.loc[values["status"] == "value", "value"] > 0).all()
    dis = values[values["indicator_id"] == "gda_n_disability"]
    assert (dis["status"] == "not_disaggregated").sum() > 100  # most countries: no disability breakdown
    assert dis.loc[dis["status"] == "not_disaggregated", "value"].isna().all()


def test_countries_listed_under_two_names_are_merged(series, known):
    # "Bolivia" and "Bolivia (Plurinational State of)" are two rows of the summary file
    summary = sources.load_gda_summary(SUMMARY, known, Skipped())
    assert (summary["iso3"] == "BOL").sum() == 2
    assert not series.duplicated(["series_id", "iso3"]).any()
    values = sources.gda_indicators(series, 89, known).set_index(["indicator_id", "iso3"])
    n_bol = series[series["iso3"] == "BOL"]["series_id"].nunique()
    assert n_bol >= 68  # at least the larger of the two name variants
    assert values.loc[("gda_pct_any", "BOL"), "value"] == pytest.approx(round(100 * n_bol / 89, 1))
    # and for every country listed once, the derived counts equal the published summary
    sources.check_gda_summary(summary, series, SUMMARY)


def test_summary_cross_check_catches_a_mismatch(series, known, tmp_path):
    text = SUMMARY.read_text(encoding="utf-8-sig").replace("AFG,4,Afghanistan,Central and Southern Asia,1.0,89,53,",
                                                           "AFG,4,Afghanistan,Central and Southern Asia,1.0,89,60,")
    p = tmp_path / "summary.csv"
    p.write_text(text, encoding="utf-8")
    summary = sources.load_gda_summary(p, known, Skipped())
    with pytest.raises(SourceError, match=r"summary.csv: line 2: AFG: summary says 60 series"):
        sources.check_gda_summary(summary, series, p)


def test_series_na_differs_from_no_and_former_states_are_left_out(known):
    catalog = sources.load_minset_catalog(CATALOG)
    assert len(catalog) == 89
    skipped = Skipped()
    series = sources.load_gda_series(SERIES, known, set(catalog["series_id"]), skipped)
    assert {"yes", "no", "n/a", "female_only"} <= set(series["by_sex"])
    assert series["by_sex"].notna().all()  # "n/a" is kept as text, not read as missing
    assert any("Sudan [former]" in s for s in skipped.items)
    assert any("Serbia and Montenegro [former]" in s for s in skipped.items)


def _write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_malformed_files_name_file_line_and_problem(tmp_path, known):
    p = _write(tmp_path, "wb.csv", "Economy,Code,Region,Income group,Lending category\nKenya,KEN,SSA,Lower middle income,IDA\n"
               "Chad,TCD,SSA,Rich,IDA\n,,,,\nWorld,WLD,,,\n")
    with pytest.raises(SourceError, match=r"wb.csv: line 3, column 'Income group': 'Rich' is not one of"):
        sources.load_wb_income(p)

    p = _write(tmp_path, "wb2.csv", "Economy,Code,Region\nKenya,KEN,SSA\n")
    with pytest.raises(SourceError, match=r"wb2.csv: line 1: missing column\(s\) 'Income group'"):
        sources.load_wb_income(p)

    p = tmp_path / "latin1.csv"
    p.write_bytes("Economy,Code,Region,Income group,Lending category\nC\xf4te,CIV,,,\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        sources.load_wb_income(p)

    lines = ODIN.read_text(encoding="utf-8-sig").splitlines()
    idx = next(i for i, ln in enumerate(lines) if ",Gender statistics," in ln)
    cells = lines[idx].split(",")
    cells[11] = "n.a."  # "Coverage subscores"
    lines[idx] = ",".join(cells)
    q = _write(tmp_path, "odin.csv", "\n".join(lines) + "\n")
    # the header spans several physical lines (embedded newlines): the reported line is
    # the physical line in the file, as an editor shows it
    with pytest.raises(SourceError, match=rf"odin.csv: line {idx + 1}, column 'Coverage subscores': 'n.a.' is not a number"):
        sources.load_odin(q, known, Skipped())

    p = _write(tmp_path, "empty.csv", "")
    with pytest.raises(SourceError, match="empty"):
        sources.read_csv_lines(p, required=["x"])

    p = _write(tmp_path, "wide.csv", "a,b\n1,2\n1,2,3\n")
    with pytest.raises(SourceError, match=r"wide.csv: line 3: 3 cells but the header has 2"):
        sources.read_csv_lines(p, required=["a"])

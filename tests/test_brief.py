"""The printable brief: content checked against independent SQL, self-contained HTML, escaping, the page."""

from __future__ import annotations

import html
import re
import statistics
from datetime import date

import pytest

from collab_data import brief
from collab_data.db import get_database
from collab_data.filters import Filters
from collab_data.maps import format_value
from collab_data.sources import INDICATORS

PAGE = "pages/brief.py"


def rows(path, sql, params=None):
    return get_database(path).rows(sql, params)


@pytest.fixture(scope="module")
def busy_country(sample_db_path) -> tuple[str, str]:
    """The sample country with the most partners (at most the brief's cap), found by SQL."""
    iso3, name, n = rows(sample_db_path, f"""
        SELECT c.iso3, c.name, count(DISTINCT cp.partner_id) AS n FROM country_programs cp JOIN countries c USING (iso3)
        GROUP BY ALL HAVING n <= {brief.MAX_PARTNERS} ORDER BY n DESC, c.iso3 LIMIT 1""")[0]
    assert n >= 3, "the sample has a country with several partners"
    return iso3, name


@pytest.fixture(scope="module")
def country_html(sample_db_path, busy_country) -> str:
    return brief.render(brief.gather_country(get_database(sample_db_path), Filters(), busy_country[0]))


def gap_row(doc: str, indicator: str) -> str | None:
    """The cells (text) of the gaps-table row of ``indicator``, or None."""
    table = re.search(r"<table class='gaps'>.*?</table>", doc, re.S)
    if not table:
        return None
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        if cells and html.unescape(cells[0]) == indicator:
            return " | ".join(html.unescape(c) for c in cells)
    return None


def test_brief_names_the_partners_of_the_country(sample_db_path, busy_country, country_html):
    iso3, name = busy_country
    partners = [p for (p,) in rows(sample_db_path, """
        SELECT DISTINCT coalesce(p.acronym, p.name) FROM country_programs cp JOIN partners p USING (partner_id)
        WHERE cp.iso3 = ?""", [iso3])]
    assert f"Country brief: {html.escape(name)}" in country_html
    for p in partners:
        assert html.escape(p) in country_html, p
    tools = [t for (t,) in rows(sample_db_path, """
        SELECT DISTINCT t.name FROM country_programs cp JOIN tools t USING (tool_id) WHERE cp.iso3 = ?""", [iso3])]
    assert any(html.escape(t)[:30] in country_html for t in tools)


def test_brief_gaps_against_medians_computed_independently(sample_db_path, busy_country, country_html):
    iso3, _ = busy_country
    region, income = rows(sample_db_path, "SELECT wb_region, income_group FROM countries WHERE iso3 = ?", [iso3])[0]
    latest = rows(sample_db_path, """
        SELECT v.indicator_id, i.name, i.unit, v.iso3, c.wb_region, c.income_group, v.value, v.status, v.year
        FROM indicator_values v JOIN indicators i USING (indicator_id) JOIN countries c USING (iso3)
        QUALIFY row_number() OVER (PARTITION BY v.indicator_id, v.iso3 ORDER BY v.year DESC) = 1""")
    checked = n_gaps = 0
    indicators = rows(sample_db_path, "SELECT indicator_id, name, unit FROM indicators ORDER BY list_position(?, indicator_id)",
                      [list(INDICATORS)])
    for ind_id, ind_name, unit in indicators:
        vals = [r for r in latest if r[0] == ind_id]
        reg = [r[6] for r in vals if r[4] == region and r[7] == "value"]
        inc = [r[6] for r in vals if r[5] == income and r[7] == "value"]
        own = [r for r in vals if r[3] == iso3]
        reg_med = statistics.median(reg) if reg else None
        inc_med = statistics.median(inc) if inc else None
        value = own[0][6] if own else None
        is_gap = value is None or any(m is not None and value < m for m in (reg_med, inc_med))
        row = gap_row(country_html, ind_name)
        if not is_gap:
            assert row is None, f"{ind_name} is no gap"
            continue
        n_gaps += 1
        if n_gaps > brief.MAX_GAP_ROWS:  # beyond the cap, gaps are named under the table
            assert html.escape(ind_name) in country_html
            continue
        assert row is not None, f"{ind_name} is a gap of {iso3}"
        status = own[0][7] if own else "no_data"
        assert format_value(value, unit, status) in row
        assert (format_value(reg_med, unit) if reg_med is not None else "No data") + (f" (n={len(reg)})" if reg else "") in row
        assert (format_value(inc_med, unit) if inc_med is not None else "No data") + (f" (n={len(inc)})" if inc else "") in row
        checked += 1
    assert checked >= 1, "at least one gap indicator was checked"


def test_brief_lists_sources_with_dates_data_date_and_sample_notice(sample_db_path, busy_country, country_html):
    iso3, _ = busy_country
    for source, year in rows(sample_db_path, """
        SELECT i.source, max(v.year) FROM indicator_values v JOIN indicators i USING (indicator_id)
        WHERE v.iso3 = ? GROUP BY i.source""", [iso3]):
        assert re.search(re.escape(html.escape(source)) + r"</b>: data year [0-9, ]*\b" + str(year), country_html), source
    # the sample's data date: its newest programme that actually started (planned ones start later)
    assert rows(sample_db_path, "SELECT max(start_date) FROM country_programs WHERE status = 'active'") == \
        [(date(2026, 11, 19),)]
    assert "19 November 2026" in country_html
    assert "SAMPLE DATA" in country_html


def test_brief_html_is_self_contained_and_printable(country_html):
    low = country_html.lower()
    for bad in ("<script", "<link", "src=", "http://", "https://", "url(", "@import", "<img", "<iframe"):
        assert bad not in low, bad
    assert low.startswith("<!doctype html>")
    assert "@page { size: a4" in low and "@media print" in low
    assert "page-break-inside: avoid" in low


def test_text_is_escaped(sample_db_path, busy_country):
    data = brief.gather_country(get_database(sample_db_path), Filters(), busy_country[0])
    data["partners"] = data["partners"].assign(partner="<b>Evil</b> & Co")
    data["activities"] = data["activities"].assign(title="<script>alert('x')</script> training")
    doc = brief.render(data)
    assert "<b>Evil</b>" not in doc and "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in doc
    assert "<script" not in doc and "&lt;script&gt;alert(&#x27;x&#x27;)" in doc


def test_missing_values_keep_their_status():
    assert brief.against_medians(None, "not_disaggregated", 1.0, 2.0) == ("no value", True)
    assert brief.against_medians(5.0, "value", 6.0, 4.0) == ("below region", True)
    assert brief.against_medians(3.0, "value", 6.0, 4.0) == ("below both", True)
    assert brief.against_medians(7.0, "value", 6.0, None) == ("at or above", False)
    assert brief.against_medians(7.0, "value", None, None) == ("no median", False)


def test_scope_brief_summarises_the_filtered_countries(sample_db_path):
    db = get_database(sample_db_path)
    f = Filters(regions=("Sub-Saharan Africa",))
    doc = brief.render(brief.gather_scope(db, f))
    (n,) = rows(sample_db_path, "SELECT count(*) FROM countries WHERE wb_region = 'Sub-Saharan Africa'")[0]
    assert f"Countries: the top {brief.MAX_COUNTRIES} of {n}" in doc
    assert f"+ {n - brief.MAX_COUNTRIES} more countries" in doc
    top = rows(sample_db_path, """
        SELECT c.name FROM country_programs cp JOIN countries c USING (iso3)
        WHERE c.wb_region = 'Sub-Saharan Africa' AND cp.status <> 'planned'
        GROUP BY c.name ORDER BY count(DISTINCT cp.partner_id) DESC, count(*) DESC, c.name LIMIT 1""")[0][0]
    assert html.escape(top) in doc
    assert "<script" not in doc.lower()


def test_brief_on_an_empty_database_says_records_are_missing(empty_db_path):
    data = brief.gather_country(get_database(empty_db_path), Filters(), "KEN")
    doc = brief.render(data)
    assert "No programmes of the collaboratives are recorded yet" in doc
    assert "Not recorded yet" in doc
    assert "SAMPLE DATA" not in doc
    assert "no records yet" in doc  # no data date without records
    assert "LNOB data gaps" in doc


def test_brief_page(app_test, sample_db_path, empty_db_path):
    at = app_test(sample_db_path, PAGE, country=["Kenya"])
    assert not at.exception, at.exception
    assert at.session_state["brief_country"] == "KEN"
    buttons = at.get("download_button")
    assert [b.label for b in buttons if "Download the brief" in b.label]
    preview = " ".join(e.value for e in at.get("html"))
    partners = [p for (p,) in rows(sample_db_path, """
        SELECT DISTINCT coalesce(p.acronym, p.name) FROM country_programs cp JOIN partners p USING (partner_id)
        WHERE cp.iso3 = 'KEN'""")]
    for p in partners:
        assert html.escape(p) in preview, p
    # the download holds the same builder's output, as a whole document
    doc = brief.render(brief.gather_country(get_database(sample_db_path), Filters(countries=("KEN",)), "KEN"))
    assert all(html.escape(p) in doc for p in partners)

    at = app_test(sample_db_path, PAGE, region=["Sub-Saharan Africa"], brief_mode="All countries in the filters")
    assert not at.exception, at.exception
    assert "the countries in the filters" in " ".join(e.value for e in at.get("html"))

    at = app_test(empty_db_path, PAGE, country=["Kenya"])
    assert not at.exception, at.exception
    assert at.get("download_button")
    assert any("No programmes or activities" in i.value for i in at.info)


def test_a_printed_brief_never_cuts_a_word_or_a_name():
    """The brief is printed: a long list keeps whole names and says how many more; text is cut at a space."""
    assert brief.clip("Data2X; Sightsavers; EM2030; UNICEF; UN Women", 28) == "Data2X; Sightsavers; EM2030 and 2 more"
    assert brief.clip("Sightsavers International; UNICEF", 8) == "Sightsavers International and 1 more"
    assert brief.clip("Training on gender statistics for national offices", 40) == "Training on gender statistics for…"
    assert brief.clip("Educational", 5) == "Educational"
    assert brief.clip("short", 40) == "short"


def test_the_brief_writes_dates_as_people_read_them(country_html, sample_db_path):
    """One date format for people ("21 Sep 2026") in the brief, as on the pages; ISO stays in exports."""
    body = re.sub(r"<[^>]+>", " ", country_html)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", body), re.findall(r".{30}\d{4}-\d{2}-\d{2}.{10}", body)[:3]
    assert re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b", body)

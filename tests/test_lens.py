"""My partner's lens: who else works where a partner works, on the sample database.

Expectations are computed here with plain SQL and Python sets, independently of
``collab_data.queries.lens``; the pages are run with AppTest.
"""

from __future__ import annotations

import html

import pandas as pd
import pytest
from conftest import open_tab

from collab_data import brief
from collab_data.db import get_database
from collab_data.filters import URL_KEYS, Filters, describe
from collab_data.views import lens as VL
from collab_data.views import partners as VP

ALL_PROGRAMMES = "SELECT * FROM country_programs"


def sql(db_path, query: str, params=None) -> pd.DataFrame:
    return get_database(db_path).query(query, params)


def country_sets(db_path, progs: str = ALL_PROGRAMMES) -> dict[str, set[str]]:
    """partner acronym (or name) -> the country names where it has a programme."""
    df = sql(db_path, f"""SELECT DISTINCT coalesce(p.acronym, p.name) AS partner, c.name AS country
                          FROM ({progs}) cp JOIN partners p USING (partner_id) JOIN countries c USING (iso3)""")
    out: dict[str, set[str]] = {}
    for r in df.itertuples():
        out.setdefault(r.partner, set()).add(r.country)
    return out


@pytest.fixture(scope="module")
def un_women(sample_db_path) -> VL.LensView:
    # the Partners filter narrows the pages to UN Women: the lens must still show everyone else
    return VL.lens_view(get_database(sample_db_path), Filters(partners=("unwomen",), lens="unwomen"))


# --------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------
def test_lists_every_other_partner_in_its_countries_with_their_tools(sample_db_path, un_women):
    sets = country_sets(sample_db_path)
    mine = sets.pop("UN Women")
    assert un_women.ok and un_women.partner == "UN Women"
    assert set(un_women.countries["Country"]) == mine
    expected = {(c, p) for p, cs in sets.items() for c in cs & mine}
    shown = set(zip(un_women.neighbours["Country"], un_women.neighbours["Other partner"]))
    assert len(expected) > 20 and shown == expected, "every other partner in every one of its countries"
    counts = dict(zip(un_women.countries["Country"], un_women.countries["Other partners (n)"]))
    assert counts == {c: sum(c in cs for cs in sets.values()) for c in mine}

    tools = sql(sample_db_path, """
        SELECT c.name AS country, coalesce(p.acronym, p.name) AS partner, string_agg(DISTINCT t.name, '; ' ORDER BY t.name) AS tools
        FROM country_programs cp JOIN partners p USING (partner_id) JOIN countries c USING (iso3)
        LEFT JOIN tools t USING (tool_id)
        WHERE cp.partner_id <> 'unwomen'
          AND cp.iso3 IN (SELECT iso3 FROM country_programs WHERE partner_id = 'unwomen')
        GROUP BY 1, 2""")
    want = {(r.country, r.partner): (r.tools if isinstance(r.tools, str) else "—") for r in tools.itertuples()}
    got = dict(zip(zip(un_women.neighbours["Country"], un_women.neighbours["Other partner"]),
                   un_women.neighbours["Their tools used there"]))
    assert got == want


def test_shared_most_ranking(sample_db_path, un_women):
    sets = country_sets(sample_db_path)
    mine = sets.pop("UN Women")
    ranked = sorted(((len(cs & mine), len(cs & mine) / len(cs | mine), p) for p, cs in sets.items() if cs & mine),
                    key=lambda t: (-t[0], -t[1], t[2]))
    table = un_women.shared_most
    assert len(table) == min(10, len(ranked)), "bounded: the top 10"
    assert table["Partner"].tolist() == [p for _, _, p in ranked[:len(table)]]
    assert table["Shared countries"].tolist() == [n for n, _, _ in ranked[:len(table)]]
    assert table["Rank"].tolist() == list(range(1, len(table) + 1))
    top = table.iloc[0]
    assert set(top["Which"].split("; ")) == sets[top["Partner"]] & mine
    assert any("of 13 that share at least one" in n for n in un_women.notes) or len(ranked) <= 10


def test_works_alone(sample_db_path, un_women):
    sets = country_sets(sample_db_path)
    mine = sets.pop("UN Women")
    alone = {c for c in mine if not any(c in cs for cs in sets.values())}
    assert alone == {"Cabo Verde"}, "the sample: UN Women alone in Cabo Verde"
    assert set(un_women.alone["Country"]) == alone
    assert dict((f[0], f[1]) for f in un_women.figures) == {
        "Countries": len(mine), "With other partners": len(mine) - len(alone), "Works alone": len(alone),
        "Other partners there": sum(bool(cs & mine) for cs in sets.values())}
    row = un_women.alone.iloc[0]
    assert row["First programme starts"][0].isdigit() and "-" not in row["First programme starts"]  # "21 Jun 2024"


def test_no_missing_values_in_cells(un_women):
    for frame in (un_women.countries, un_women.neighbours, un_women.shared_most, un_women.alone):
        assert not frame.isna().any().any()
        text = frame.astype(str)
        assert not text.isin(["None", "nan", "NaT", ""]).any().any()


def test_filters_narrow_the_lens(sample_db_path):
    """Countries and period apply to the lens; the other partners follow the collaborative filter."""
    db = get_database(sample_db_path)
    view = VL.lens_view(db, Filters(lens="unwomen", regions=("Sub-Saharan Africa",), collab="lnob"))
    africa = {n for (n,) in db.rows("SELECT name FROM countries WHERE wb_region = 'Sub-Saharan Africa'")}
    assert view.ok and set(view.countries["Country"]) <= africa
    lnob = {p for (p,) in db.rows("SELECT coalesce(p.acronym, p.name) FROM partner_memberships m "
                                  "JOIN partners p USING (partner_id) WHERE collab_id = 'lnob'")}
    assert set(view.neighbours["Other partner"]) <= lnob


def test_partner_with_no_programmes_gets_a_clear_empty_state(writable_db):
    with writable_db.write(kind="edit", source="test", editor="test") as batch:
        batch.add("partners", {"partner_id": "newcomer", "name": "Newcomer Institute", "acronym": "NI",
                               "org_type": "ngo", "is_sample": False})
    view = VL.lens_view(writable_db, Filters(lens="newcomer"))
    assert view.status == "no_programmes" and not view.ok
    what, how = view.empty
    assert "NI has no country programme recorded yet" in what and "Manage records" in how
    assert view.countries.empty and view.shared_most.empty


def test_no_programme_in_view_and_unknown_partner(sample_db_path):
    db = get_database(sample_db_path)
    kenya = VL.lens_view(db, Filters(lens="unwomen", countries=("KEN",)))
    assert kenya.status == "none_in_view" and "Widen" in kenya.empty[1]
    assert VL.lens_view(db, Filters(lens="nobody")).status == "unknown"
    assert VL.lens_view(db, Filters()).status == "off"


def test_brief_has_a_my_partner_section(sample_db_path):
    db = get_database(sample_db_path)
    doc = brief.render(brief.gather_country(db, Filters(lens="unwomen"), "GHA"))
    assert "My partner: UN Women" in doc and "alongside 3 other" in doc
    for p in ("GPSDD", "CIVICUS", "UNSD"):
        assert f"<b>{p}</b>" in doc
    alone = brief.render(brief.gather_country(db, Filters(lens="unwomen"), "CPV"))
    assert "UN Women works here alone" in alone
    scope = brief.render(brief.gather_scope(db, Filters(lens="unwomen")))
    assert "Works alone in</b>: Cabo Verde." in scope
    assert "My partner" not in brief.render(brief.gather_country(db, Filters(), "GHA"))


def test_brief_escapes_the_partner_name():
    lens = {"kind": "scope", "view": VL.LensView("no_programmes", "x", "<b>A&B</b>", empty=("none", ""))}
    out = brief.lens_html(lens)
    assert html.escape("<b>A&B</b>") in out and "<b>A&B</b>" not in out


# --------------------------------------------------------------------------------------
# The filter and its URL
# --------------------------------------------------------------------------------------
def test_my_partner_is_a_filter_of_its_own():
    assert URL_KEYS["lens"] == "my_partner"
    f = Filters(lens="unwomen")
    assert f.partners == () and not f.is_default and f.without_lens == Filters()
    assert describe(f, partner_names={"unwomen": "UN Women"}).endswith("— my partner: UN Women.")
    with pytest.raises(ValueError):
        Filters(lens="  ")


def url_value(at, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def test_url_round_trip(app_test, sample_db_path):
    """The URL holds the label the widget shows (?my_partner=UN%20Women) and opening it restores the lens;
    every partner's label opens that partner (the widget's labels are the URL's values)."""
    at = app_test(sample_db_path, "pages/overlap.py", my_partner="UN Women", country=["Ghana", "Cabo Verde"])
    assert not at.exception, at.exception
    assert at.session_state["my_partner"] == "unwomen"
    assert url_value(at, "my_partner") == ["UN Women"]
    assert [m.value for m in at.metric if m.label == "Works alone"] == ["1"]
    box = at.selectbox(key="my_partner")
    assert box.label == "My partner" and "UN Women" in box.options and "PARIS21" in box.options
    assert any("my partner\\: UN Women" in m.value for m in at.markdown), "the filter sentence names it"
    box.set_value("paris21").run()
    assert not at.exception
    assert any(h.value == "👁 My partner: PARIS21" for h in at.header)
    at.selectbox(key="my_partner").set_value(None).run()
    assert not any("My partner" in h.value for h in at.header)
    # the label PARIS21 (what the URL then holds) reopens the same lens in a new session
    again = app_test(sample_db_path, "pages/overlap.py", my_partner="PARIS21")
    assert again.session_state["my_partner"] == "paris21"
    assert any(h.value == "👁 My partner: PARIS21" for h in again.header)
    # an unknown name in a link opens the page without a lens, not an error
    stale = app_test(sample_db_path, "pages/overlap.py", my_partner="No Such Partner")
    assert not stale.exception and not any("My partner" in h.value for h in stale.header)


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------
def table_with(at, column: str) -> pd.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def test_overlap_page_with_the_lens_on_un_women(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/overlap.py", partner=["UN Women"], my_partner="UN Women")
    assert not at.exception, at.exception
    assert any(h.value == "👁 My partner: UN Women" for h in at.header)
    who = table_with(at, "Other partner")
    sets = country_sets(sample_db_path)
    mine = sets.pop("UN Women")
    assert set(who["Other partner"]) == {p for p, cs in sets.items() if cs & mine}
    assert table_with(at, "Shared countries")["Partner"].iloc[0] in {"PARIS21", "UNICEF"}
    assert table_with(at, "First programme starts")["Country"].tolist() == ["Cabo Verde"]
    info = " ".join(i.value for i in at.info)
    assert "listed under **My partner** above" in info


def test_overlap_page_suggests_the_lens_for_one_partner(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/overlap.py", partner=["UN Women"])
    assert not at.exception, at.exception
    assert not any("My partner:" in h.value for h in at.header)
    at.button(key="ov_lens_suggest").click().run()
    assert not at.exception
    assert at.session_state["my_partner"] == "unwomen"
    assert any(h.value == "👁 My partner: UN Women" for h in at.header)


def test_countries_page_and_overview_show_the_lens(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/countries.py", my_partner="UN Women", profile="Ghana")
    assert not at.exception, at.exception
    assert any(h.value == "👁 My partner: UN Women" for h in at.header)
    assert any("works in Ghana with 3 other partners" in i.value for i in at.info)
    at = app_test(sample_db_path, "pages/overview.py", my_partner="UN Women")
    assert not at.exception, at.exception
    assert any(h.value == "👁 My partner: UN Women" for h in at.header)
    assert "Shared countries" in table_with(at, "Shared countries").columns


def test_partners_page_honours_the_country_filter(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/partners.py", country=["Kenya"])
    assert not at.exception, at.exception
    present = set(sql(sample_db_path, """
        SELECT coalesce(p.acronym, p.name) FROM partners p WHERE partner_id IN (
            SELECT partner_id FROM country_programs WHERE iso3 = 'KEN'
            UNION SELECT ap.partner_id FROM activity_partners ap JOIN activity_countries ac USING (activity_id)
                  WHERE ac.iso3 = 'KEN')""").iloc[:, 0])
    everyone = set(sql(sample_db_path, "SELECT coalesce(acronym, name) FROM partners").iloc[:, 0])
    assert present and present < everyone
    catalogue = table_with(at, "Headquarters")
    assert set(catalogue["Partner"]) == present
    used = set(sql(sample_db_path, "SELECT DISTINCT t.name FROM country_programs cp JOIN tools t USING (tool_id) "
                                   "WHERE cp.iso3 = 'KEN'").iloc[:, 0])
    open_tab(at, "pt_tab", VP.TABS["tools"])
    assert set(table_with(at, "LNOB dimensions")["Tool"]) == used
    # the profile opens on the partner with the most records in view, never on one with none
    open_tab(at, "pt_tab", VP.TABS["partner"])
    pid = at.selectbox(key="pt_partner").value
    records = sql(sample_db_path, """
        SELECT partner_id, count(*) AS n FROM (
            SELECT partner_id FROM country_programs WHERE iso3 = 'KEN'
            UNION ALL SELECT ap.partner_id FROM activity_partners ap JOIN activity_countries ac USING (activity_id)
                      WHERE ac.iso3 = 'KEN'
            UNION ALL SELECT partner_id FROM collaboration_partners) GROUP BY 1""").set_index("partner_id")["n"]
    assert pid in records.index
    programmes = next(m for m in at.metric if m.label == "Programmes")
    activities = next(m for m in at.metric if m.label == "Activities")
    assert int(programmes.value) + int(activities.value) > 0


def test_partners_page_without_a_country_filter_lists_everyone(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/partners.py")
    assert not at.exception, at.exception
    everyone = set(sql(sample_db_path, "SELECT coalesce(acronym, name) FROM partners").iloc[:, 0])
    assert set(table_with(at, "Headquarters")["Partner"]) == everyone
    open_tab(at, "pt_tab", VP.TABS["partner"])
    shown = {m.label: int(m.value) for m in at.metric if m.label in ("Programmes", "Activities", "Collaborations")}
    assert sum(shown.values()) > 0, "the profile opens on a partner with records in view"

"""What the Countries page shows: the map's rows and table, and one country's profile.

:func:`countries_view` (the map and the table of a measure) and :func:`country_profile`
(one country) read through :mod:`collab_data.queries.countries` and return readable
frames: dates as "21 Sep 2026", a missing value as "—", statuses in words. The page draws
them (the deck and legend come from the pure builders of :mod:`collab_data.maps`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from collab_data import maps, queries
from collab_data.db import Database
from collab_data.filters import Filters, period_label
from collab_data.labels import MISSING, person_date
from collab_data.queries import countries as QC


@dataclass(frozen=True)
class CountriesView:
    measure: QC.Measure
    has_programmes: bool
    no_partner_data: bool  # a partner-based measure with no programmes recorded at all
    rows: pd.DataFrame     # what the map draws (maps.map_rows)
    table: pd.DataFrame    # the countries in the filters, readable
    notes: str             # under the map
    running: str           # "at any time" / "during 2025"
    scope: dict[str, str] = field(default_factory=dict)  # iso3 -> name: the profile's choices


def running_text(f: Filters) -> str:
    return "at any time" if f.period == "all" else f"during {period_label(f.period)}"


def default_measure(db: Database) -> str:
    """Partners active when programmes are recorded, else the data availability."""
    return "partners" if queries.collab_counts(db).get("programs", 0) > 0 else "gda_pct_any"


def countries_view(db: Database, f: Filters, measure_key: str) -> CountriesView:
    f = f.without_lens
    m = QC.MEASURES[measure_key]
    has_programmes = queries.collab_counts(db).get("programs", 0) > 0
    measures = QC.country_measures(db, f)
    rows = maps.map_rows(measures, QC.country_shapes(db), m.column)
    table = rows[rows["in_scope"]].merge(measures[["iso3", "wb_region", "income_group"]], on="iso3", how="left")
    table = table.sort_values(["value", "name"], ascending=[False, True], na_position="last")
    columns = {
        "Country": table["name"].to_numpy(),
        "ISO3": table["iso3"].to_numpy(),
        "Region": table["wb_region"].fillna(MISSING).to_numpy(),
        "Income group": table["income_group"].fillna(MISSING).to_numpy(),
        m.label: table["value"].to_numpy(),
        "Status": [maps.format_value(v, m.unit, s) if s != "value" else "" for v, s in
                   zip(table["value"], table["status"])],
    }
    if has_programmes and m.key != "partners":
        columns["Partners active"] = table["partners"].to_numpy()
    shown = pd.DataFrame(columns)
    if not (shown["Status"] != "").any():
        shown = shown.drop(columns=["Status"])
    notes = ["Small island states without an outline are drawn as dots.",
             "“No data” is grey and never counted as 0. Hover a country for its value; click it for its profile."]
    if f.has_country_scope:
        notes.insert(0, "Countries outside the region, income, group or country filters are drawn as flat grey land, "
                        "without borders or values (small island states outside them are left out).")
    scope = QC.scope_countries(db, f)
    return CountriesView(m, has_programmes, m.partner_based and not has_programmes and m.key != "underserved",
                         rows, shown.reset_index(drop=True), " ".join(notes), running_text(f),
                         dict(zip(scope["iso3"], scope["name"])))


@dataclass(frozen=True)
class CountryProfile:
    iso3: str
    name: str
    facts: str              # region · income group · LDC ...
    region: str
    income: str
    figures: tuple[tuple[str, str, str | None], ...]  # (label, value, help)
    partners: pd.DataFrame
    programmes: pd.DataFrame
    missing_dimensions: tuple[str, ...]
    covered_dimensions: tuple[str, ...]
    dimensions: pd.DataFrame
    indicators: pd.DataFrame
    activities: pd.DataFrame
    has_programmes: bool
    running: str


def country_profile(db: Database, f: Filters, iso3: str) -> CountryProfile:
    """One country's profile under the filters (see the Countries page)."""
    f = f.without_lens
    info = QC.country_info(db, iso3)
    if info.empty:
        raise ValueError(f"unknown country {iso3!r}")
    info = info.iloc[0]
    name = str(info["name"])
    has_programmes = queries.collab_counts(db).get("programs", 0) > 0
    measures = QC.country_measures(db, f)
    me = measures[measures["iso3"] == iso3].iloc[0]
    groups = [g for g, flag in (("LDC", info["is_ldc"]), ("LLDC", info["is_lldc"]), ("SIDS", info["is_sids"])) if flag]
    region = info["wb_region"] if isinstance(info["wb_region"], str) else None
    income = info["income_group"] if isinstance(info["income_group"], str) else None
    facts = " · ".join([region or "No World Bank region", income or "No income group", *groups])

    def count(col: str) -> str:
        v = me[col]
        return str(int(v)) if has_programmes and pd.notna(v) else MISSING

    no_prog = None if has_programmes else "No programmes of the collaboratives are recorded yet."
    figures = (
        ("Partners active", count("partners"), no_prog),
        ("Programmes", count("programmes"), no_prog),
        ("Tools deployed", count("tools"), no_prog),
        ("LNOB data availability", maps.format_value(me["gda_pct_any"], "percent", me["gda_pct_any_status"]),
         QC.MEASURES["gda_pct_any"].help),
    )

    programmes = QC.country_programmes(db, f, iso3)
    partners = QC.country_partners(db, f, iso3)
    dims = QC.country_dimensions(db, f, iso3)
    p_shown = pd.DataFrame({
        "Partner": partners["partner"],
        "Status": ["active" if a else "planned only" for a in partners["active"]],
        "Programmes": partners["programmes"].astype(int),
        "Tools used here": partners["tools"].fillna(MISSING),
        "Since": [person_date(d) for d in partners["since"]],
    })
    pr_shown = pd.DataFrame({
        "Partner": programmes["partner"],
        "Tool": programmes["tool"].fillna(MISSING),
        "Support": programmes["support"].fillna(MISSING).map(lambda s: s[:1].upper() + s[1:] if s != MISSING else s),
        "Topic": programmes["topic"].fillna(MISSING),
        "Status": programmes["status"],
        "Start": [person_date(d) for d in programmes["start"]],
        "End": [person_date(d) if pd.notna(d) else "open-ended" for d in programmes["end"]],
    })
    d_shown = pd.DataFrame({
        "Dimension": dims["dimension"],
        "Addressed": ["yes" if n else "no" for n in dims["n_tools"]],
        "Partner tools in use that address it": dims["tools"].fillna(MISSING),
    })
    ind = QC.country_indicators(db, iso3)
    i_shown = pd.DataFrame({
        "Indicator": ind["indicator"],
        name: [maps.format_value(v, u, s) for v, u, s in zip(ind["value"], ind["unit"], ind["status"])],
        "Region median": ind["region_median"].round(1),
        "Income-group median": ind["income_median"].round(1),
        "n region": ind["region_n"],
        "n income": ind["income_n"],
        "Year": ind["year"].astype("Int64"),
    })
    acts = QC.country_activities(db, f, iso3)
    a_shown = pd.DataFrame({
        "Date": [person_date(d) for d in acts["date"]], "Activity": acts["title"], "Type": acts["type"],
        "Collaborative": acts["collaborative"], "Partners": acts["partners"].fillna(MISSING),
        "Outcome": acts["outcome"].fillna(MISSING),
    })
    return CountryProfile(
        iso3, name, facts, region or MISSING, income or MISSING, figures, p_shown, pr_shown,
        tuple(dims[dims["n_tools"] == 0]["dimension"]), tuple(dims[dims["n_tools"] > 0]["dimension"]),
        d_shown, i_shown, a_shown, has_programmes, running_text(f))


#: Counts keep 0 apart in the legend ("None (0)"): a country without partners is not a light shade.
ZERO_APART = ("partners", "programmes", "tools")


def legend_chart(db: Database, f: Filters, measure_key: str):
    """The map's legend for ``measure_key`` (the rows :func:`countries_view` draws), as an
    Altair chart: a pure function of small values, so the page caches its finished spec."""
    m = QC.MEASURES[measure_key]
    rows = maps.map_rows(QC.country_measures(db, f.without_lens), QC.country_shapes(db), m.column)
    return maps.legend_chart(rows, measure_label=m.label, unit=m.unit, zero_apart=measure_key in ZERO_APART)

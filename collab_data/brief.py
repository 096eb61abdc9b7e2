"""The printable brief: one A4 page on a country, or on the countries the filters select.

Two halves:

* :func:`gather_country` and :func:`gather_scope` collect what a brief shows from the
  read functions of :mod:`collab_data.queries` (no SQL of their own): a dict of small
  DataFrames and plain values, cacheable (``runtime.cached(brief.gather_country, f, iso3)``).
* :func:`render` turns that dict into one self-contained HTML document (pure): inline
  CSS with system fonts, no scripts, no links, no images, every text escaped with
  :func:`html.escape`. ``@media print`` and ``@page`` give an A4 page; lists are cut to
  fit the page (top N, with a note of what was left out).

Missing data is never 0: a country without a value keeps its status ("No data", "Not
disaggregated" ...), a median without countries is "No data".
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from collab_data import queries
from collab_data.db import Database
from collab_data.filters import Filters, describe
from collab_data.labels import person_date
from collab_data.maps import STATUS_TEXT, format_value
from collab_data.queries import countries as QC
from collab_data.queries import overlap as QO
from collab_data.queries import overview as QV
from collab_data.views import lens as VL

#: The brief's templates (Jinja2, autoescaped: a value is always text, never markup).
TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                               autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
MAX_LENS_OTHERS = 5
MAX_LENS_COUNTRIES = 5
MAX_LENS_SHARED = 5

#: Caps that keep a brief on one A4 page.
MAX_PARTNERS = 6
MAX_PROGRAMMES = 7
MAX_ACTIVITIES = 4
MAX_GAP_ROWS = 10
MAX_COUNTRIES = 8
MAX_SCOPE_PARTNERS = 6

#: Income groups in a narrow column.
INCOME_SHORT = {"Low income": "Low", "Lower middle income": "Lower-middle", "Upper middle income": "Upper-middle",
                "High income": "High"}

SAMPLE_NOTICE = ("The partners' programmes, activities and collaborations in this brief include illustrative "
                 "sample records, not real commitments, until partners upload their own.")


# --------------------------------------------------------------------------------------
# Gathering (reads through collab_data.queries)
# --------------------------------------------------------------------------------------
def _common(db: Database, f: Filters) -> dict[str, Any]:
    counts = queries.collab_counts(db)
    return {
        "as_of": queries.data_as_of(db),
        "has_programmes": counts.get("programs", 0) > 0,
        "has_activities": counts.get("activities", 0) > 0,
    }


def gather_country(db: Database, f: Filters, iso3: str) -> dict[str, Any]:
    """Everything the brief on one country shows, under the filters ``f`` (country filters aside)."""
    one = f.with_(countries=(iso3,), regions=(), income=(), groups=())
    info = QC.country_info(db, iso3)
    if info.empty:
        raise ValueError(f"unknown country {iso3!r}")
    data = _common(db, one)
    data.update({
        "kind": "country",
        "iso3": iso3,
        "info": info.iloc[0].to_dict(),
        "filters": describe(one, country_names=queries.country_names(db), partner_names=queries.partner_names(db)),
        "sample": queries.sample_in_view(db, one),
        "partners": QC.country_partners(db, one, iso3),
        "programmes": QC.country_programmes(db, one, iso3),
        "dimensions": QC.country_dimensions(db, one, iso3),
        "indicators": QC.country_indicators(db, iso3),
        "activities": QC.country_activities(db, one, iso3, limit=MAX_ACTIVITIES + 1),
        "lens": _lens_country(db, f, one, iso3) if f.lens else None,
    })
    return data


def _lens_country(db: Database, f: Filters, one: Filters, iso3: str) -> dict[str, Any]:
    """My partner in one country: there or not, the others with their tools, and (across the
    filters' countries) the partners it shares most countries with."""
    here = VL.lens_view(db, one, top=1, per_country=MAX_LENS_OTHERS)
    across = VL.lens_view(db, f, top=MAX_LENS_SHARED)
    return {"kind": "country", "here": here, "across": across, "iso3": iso3}


def _lens_scope(db: Database, f: Filters) -> dict[str, Any]:
    return {"kind": "scope", "view": VL.lens_view(db, f, top=MAX_LENS_SHARED)}


def gather_scope(db: Database, f: Filters, top_n: int = MAX_COUNTRIES) -> dict[str, Any]:
    """Everything the brief on the countries of the filters shows: the top ``top_n`` countries in detail."""
    data = _common(db, f)
    measures = QC.country_measures(db, f)
    scope = measures[measures["in_scope"]].copy()
    scope = scope.sort_values(["partners", "programmes", "name"], ascending=[False, False, True], kind="mergesort")
    top = scope.head(top_n)
    per_country = []
    for iso3 in top["iso3"]:
        ind = QC.country_indicators(db, iso3)
        dims = QC.country_dimensions(db, f, iso3)
        partners = QC.country_partners(db, f, iso3)
        per_country.append({"iso3": iso3, "indicators": ind, "dimensions": dims, "partners": partners})
    data.update({
        "kind": "scope",
        "filters": describe(f, country_names=queries.country_names(db), partner_names=queries.partner_names(db)),
        "sample": queries.sample_in_view(db, f),
        "measures": scope.reset_index(drop=True),
        "per_country": per_country,
        "partner_country": QO.partner_country(db, f),
        "tool_country": QO.tool_country(db, f),
        "activities": QV.latest_activities(db, f, limit=MAX_ACTIVITIES + 1),
        "top_n": top_n,
        "lens": _lens_scope(db, f) if f.lens else None,
    })
    return data


# --------------------------------------------------------------------------------------
# Formatting helpers (pure)
# --------------------------------------------------------------------------------------
def esc(value: Any) -> str:
    """Text for HTML: None/NaN as an em dash, everything else escaped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    return html.escape(str(value), quote=True)


def clip(text: Any, n: int) -> Any:
    """Long text shortened for a printed table, never in the middle of a word or a name: a
    "; "-separated list keeps whole items and says how many more; other text is cut at a space
    with an ellipsis (before escaping)."""
    if not isinstance(text, str) or len(text) <= n:
        return text
    items = text.split("; ")
    if len(items) > 1:
        kept: list[str] = []
        for item in items:
            if kept and len("; ".join([*kept, item])) > n:
                break
            kept.append(item)
        rest = len(items) - len(kept)
        return "; ".join(kept) + (f" and {rest} more" if rest else "")
    cut = text[: n - 1]
    space = cut.rfind(" ")
    if space >= n // 2:
        cut = cut[:space]
    else:  # a long word: keep it whole rather than print half of it
        end = text.find(" ", n - 1)
        if end < 0:
            return text
        cut = text[:end]
    return cut.rstrip(" ,;:-–(") + "…"


def long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "no records yet"


def _median_text(value: Any, unit: str, n: Any) -> str:
    if value is None or pd.isna(value):
        return "No data"
    return f"{format_value(value, unit)} <span class='n'>(n={int(n)})</span>"


def against_medians(value: Any, status: str, region: Any, income: Any) -> tuple[str, bool]:
    """How a country's value compares with its region and income-group medians: (words, is_gap).

    A gap is a missing value, or a value below at least one median. The words are neutral
    (below / above), since a higher value is not better for every indicator.
    """
    if status != "value" or value is None or pd.isna(value):
        return "no value", True
    below = [name for name, m in (("region", region), ("income", income))
             if m is not None and not pd.isna(m) and float(value) < float(m)]
    known = [m for m in (region, income) if m is not None and not pd.isna(m)]
    if not known:
        return "no median", False
    if len(below) == len(known):
        return "below both" if len(known) == 2 else f"below {below[0]}", True
    if below:
        return f"below {below[0]}", True
    return "at or above", False


def _sources_rows(frames: list[pd.DataFrame]) -> list[tuple[str, str]]:
    """(source, years) for the indicator sources of the frames (``source`` and ``year`` columns)."""
    years: dict[str, set[int]] = {}
    for fr in frames:
        if fr is None or fr.empty:
            continue
        for src, yr in zip(fr["source"], fr["year"]):
            s = years.setdefault(str(src), set())
            if yr is not None and not pd.isna(yr):
                s.add(int(yr))
    out = []
    for src in sorted(years):
        ys = sorted(years[src])
        out.append((src, ", ".join(map(str, ys)) if ys else "no values for these countries"))
    return out


def _table(headers: list[str], rows: list[list[str]], *, widths: list[str] | None = None,
           row_classes: list[str] | None = None, cls: str = "") -> str:
    """An HTML table from already-escaped cells."""
    cols = ""
    if widths:
        cols = "<colgroup>" + "".join(f"<col style='width:{w}'>" for w in widths) + "</colgroup>"
    head = "".join(f"<th scope='col'>{h}</th>" for h in headers)
    body = []
    for i, r in enumerate(rows):
        rc = f" class='{row_classes[i]}'" if row_classes and row_classes[i] else ""
        body.append(f"<tr{rc}>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    return f"<table class='{cls}'>{cols}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _more(n_more: int, what: str, where: str = "on the dashboard") -> str:
    if n_more <= 0:
        return ""
    return f"<p class='more'>+ {n_more} more {esc(what)} not shown here: see them {esc(where)}.</p>"


def _section(title: str, body: str, cls: str = "") -> str:
    return f"<section class='{cls}'><h2>{esc(title)}</h2>{body}</section>"


#: Rules of the printed page: only in the downloaded document (a preview inside the app leaves the app's page alone).
PAGE_CSS = """
@page { size: A4 portrait; margin: 11mm 12mm 11mm 12mm; }
@media print { html, body { margin: 0; padding: 0; background: #ffffff; } }
"""

#: The brief's own look, every rule scoped to ``.cdd-brief`` (so a preview cannot restyle the app).
CSS = """
.cdd-brief { font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
  font-size: 9pt; line-height: 1.3; color: #111827; background: #ffffff; max-width: 186mm; margin: 0 auto;
  padding: 0; }
.cdd-brief * { box-sizing: border-box; }
.cdd-brief header { border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-bottom: 6px; }
.cdd-brief h1 { font-size: 16pt; margin: 0 0 1px 0; line-height: 1.15; }
.cdd-brief .sub { font-size: 9.5pt; color: #374151; margin: 0; }
.cdd-brief .meta { font-size: 8pt; color: #4b5563; margin: 2px 0 0 0; }
.cdd-brief .sample { border: 1.5px solid #E69F00; background: #fff7e6; padding: 3px 6px; margin: 5px 0 0 0;
  font-size: 8pt; }
.cdd-brief .sample b { letter-spacing: .02em; }
.cdd-brief .figures { display: flex; gap: 6px; margin: 6px 0 2px 0; }
.cdd-brief .fig { flex: 1 1 auto; border: 1px solid #9ca3af; padding: 2px 5px; display: flex; align-items: baseline;
  gap: 4px; }
.cdd-brief .fig .v { font-size: 12pt; font-weight: 700; line-height: 1.1; white-space: nowrap; }
.cdd-brief .fig .l { font-size: 7.5pt; color: #374151; line-height: 1.1; }
.cdd-brief section { margin-top: 6px; break-inside: avoid; page-break-inside: avoid; }
.cdd-brief h2 { font-size: 10.5pt; margin: 0 0 2px 0; color: #0b3d66; break-after: avoid; page-break-after: avoid; }
.cdd-brief table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 7.8pt; }
.cdd-brief th, .cdd-brief td { border: 1px solid #6b7280; padding: 1.5px 4px; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
.cdd-brief th { background: #e5e7eb; font-weight: 600; }
.cdd-brief tr { break-inside: avoid; page-break-inside: avoid; }
.cdd-brief tr.gap td { background: #fdf0e6; }
.cdd-brief tr.gap td.cmp { font-weight: 700; }
.cdd-brief td.num, .cdd-brief th.num { text-align: right; }
.cdd-brief .n { color: #4b5563; font-size: 7pt; }
.cdd-brief .cols { display: flex; gap: 8px; }
.cdd-brief .cols > section { flex: 1; min-width: 0; }
.cdd-brief .cols > section.wide { flex: 1.6; }
.cdd-brief ul { margin: 1px 0 0 0; padding-left: 14px; }
.cdd-brief li { margin: 0; }
.cdd-brief p { margin: 2px 0; }
.cdd-brief .more, .cdd-brief .note { font-size: 7.5pt; color: #374151; margin: 1px 0 0 0; }
.cdd-brief .none { font-style: italic; color: #374151; }
.cdd-brief footer { margin-top: 6px; border-top: 1px solid #9ca3af; padding-top: 3px; font-size: 7.5pt;
  color: #374151; }
.cdd-brief footer p { margin: 1px 0; }
/* the app's own styles must not resize the preview's text (doubled class: higher specificity) */
.cdd-brief.cdd-brief p, .cdd-brief.cdd-brief li, .cdd-brief.cdd-brief ul, .cdd-brief.cdd-brief td,
.cdd-brief.cdd-brief th { font-size: inherit; line-height: inherit; font-family: inherit; color: inherit; }
.cdd-brief.cdd-brief p { margin: 2px 0; }
.cdd-brief.cdd-brief .more, .cdd-brief.cdd-brief .note { font-size: 7.5pt; margin: 1px 0 0 0; }
.cdd-brief.cdd-brief .sample { font-size: 8pt; margin: 5px 0 0 0; }
.cdd-brief.cdd-brief .sub { font-size: 9.5pt; margin: 0; color: #374151; }
.cdd-brief.cdd-brief .meta { font-size: 8pt; margin: 2px 0 0 0; color: #4b5563; }
.cdd-brief.cdd-brief .more, .cdd-brief.cdd-brief .note, .cdd-brief.cdd-brief footer { color: #374151; }
.cdd-brief.cdd-brief li { margin: 0; padding: 0; }
.cdd-brief.cdd-brief h1, .cdd-brief.cdd-brief h2 { font-family: inherit; padding: 0; letter-spacing: normal; }
.cdd-brief.cdd-brief h1 { font-size: 16pt; font-weight: 700; margin: 0 0 1px 0; line-height: 1.15; }
.cdd-brief.cdd-brief h2 { font-size: 10.5pt; font-weight: 700; margin: 0 0 2px 0; line-height: 1.3; color: #0b3d66; }
@media screen { .cdd-brief.paper { padding: 12mm; box-shadow: 0 1px 4px rgba(0,0,0,.25); margin: 8px auto;
  max-width: 210mm; } }
@media print { .cdd-brief { max-width: none; }
  .cdd-brief tr.gap td, .cdd-brief th, .cdd-brief .sample { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _document(title: str, body: str, standalone: bool) -> str:
    if not standalone:
        return f"<style>{CSS}</style><div class='cdd-brief paper'>{body}</div>"
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(title)}</title><style>{PAGE_CSS}{CSS}</style></head>"
            f"<body><main class='cdd-brief paper'>{body}</main></body></html>\n")


def _figures(items: list[tuple[str, str]]) -> str:
    return "<div class='figures'>" + "".join(
        f"<div class='fig'><span class='v'>{esc(v)}</span><span class='l'>{esc(label)}</span></div>"
        for v, label in items) + "</div>"


def _header(title: str, sub: str, data: dict) -> str:
    meta = (f"Data of the collaboratives as of {esc(long_date(data.get('as_of')))} · "
            f"Filters: {esc(data.get('filters', ''))}")
    sample = f"<p class='sample'><b>SAMPLE DATA.</b> {esc(SAMPLE_NOTICE)}</p>" if data.get("sample") else ""
    return f"<header><h1>{esc(title)}</h1><p class='sub'>{esc(sub)}</p><p class='meta'>{meta}</p>{sample}</header>"


def _sources_footer(frames: list[pd.DataFrame], data: dict, extra: list[str] | None = None) -> str:
    items = [f"<b>{esc(src)}</b>: data year {esc(years)}" for src, years in _sources_rows(frames)]
    items.append(f"<b>Programmes, activities, collaborations</b>: the collaboratives' own records, latest "
                 f"{esc(long_date(data.get('as_of')))}"
                 + (" (<b>including sample records</b>: illustrative, not real)" if data.get("sample") else ""))
    items += extra or []
    return ("<footer><p><b>Sources and dates.</b> " + ". ".join(items) + ".</p>"
            "<p>Collaborative Data Dashboard, country brief. Missing values keep their status (“No data”, "
            "“Not disaggregated” …) and are never counted as 0.</p></footer>")


# --------------------------------------------------------------------------------------
# My partner (a template)
# --------------------------------------------------------------------------------------
def lens_html(lens: dict | None, country: str | None = None) -> str:
    """The "My partner" section of a brief ("" without a lens), from ``brief_lens.html.j2``."""
    if not lens:
        return ""
    if lens["kind"] == "country":
        here_view, across = lens["here"], lens["across"]
        view = across if across.status != "ok" else here_view
    else:
        here_view = across = view = lens["view"]
    ctx: dict[str, Any] = {"partner": view.partner, "kind": lens["kind"], "country": country or "",
                           "empty": "", "here": None, "others": [], "more": False, "headline": "",
                           "countries": [], "countries_more": 0, "shared": [], "alone": []}
    if across.status not in ("ok", "none_in_view") or (lens["kind"] == "scope" and not view.ok):
        ctx["empty"] = " ".join(view.empty or ())
        ctx["empty"] = ctx["empty"].replace("**", "")
        return TEMPLATES.get_template("brief_lens.html.j2").render(**ctx)
    mine = f"Programmes of {view.partner}"
    tools = f"Tools of {view.partner} there"
    if lens["kind"] == "country":
        if here_view.ok:
            row = here_view.countries.iloc[0]
            ctx["here"] = {"programmes": int(row[mine]), "tools": row[tools], "n_others": int(row["Other partners (n)"])}
            ctx["others"] = [{"partner": r["Other partner"], "tools": clip(r["Their tools used there"], 60)}
                             for _, r in here_view.neighbours.head(MAX_LENS_OTHERS).iterrows()]
            ctx["more"] = int(row["Other partners (n)"]) > len(ctx["others"])
    else:
        ctx["headline"] = view.headline
        shown = view.countries[view.countries["Other partners (n)"] > 0].head(MAX_LENS_COUNTRIES)
        ctx["countries"] = [{"country": r["Country"], "tools": clip(r[tools], 60),
                             "others": clip(r["Other partners there"], 90)} for _, r in shown.iterrows()]
        ctx["countries_more"] = int((view.countries["Other partners (n)"] > 0).sum()) - len(shown)
        ctx["alone"] = view.alone["Country"].tolist()
    if across.ok:
        ctx["shared"] = [{"partner": r["Partner"], "shared": int(r["Shared countries"])}
                         for _, r in across.shared_most.head(MAX_LENS_SHARED).iterrows()]
    return TEMPLATES.get_template("brief_lens.html.j2").render(**ctx)


# --------------------------------------------------------------------------------------
# The brief on one country
# --------------------------------------------------------------------------------------
def indicator_gaps(ind: pd.DataFrame) -> pd.DataFrame:
    """The indicators with ``against`` (words) and ``is_gap`` (see :func:`against_medians`), in their order."""
    out = ind.copy()
    pairs = [against_medians(r.value, r.status, r.region_median, r.income_median) for r in ind.itertuples(index=False)]
    out["against"] = [p[0] for p in pairs]
    out["is_gap"] = [p[1] for p in pairs]
    return out


def _gap_rows(gaps: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in gaps.itertuples(index=False):
        own = format_value(r.value, r.unit, r.status)
        year = "" if r.year is None or pd.isna(r.year) else f" <span class='n'>({int(r.year)})</span>"
        rows.append([esc(r.indicator), f"{esc(own)}{year}", _median_text(r.region_median, r.unit, r.region_n),
                     _median_text(r.income_median, r.unit, r.income_n), esc(r.against)])
    return rows


def country_html(data: dict, *, standalone: bool = True) -> str:
    info = data["info"]
    name = info["name"]
    groups = [g for g, flag in (("LDC", info.get("is_ldc")), ("LLDC", info.get("is_lldc")),
                                ("SIDS", info.get("is_sids"))) if flag]
    sub = " · ".join(str(x) for x in [info.get("wb_region") or "No World Bank region",
                                      info.get("income_group") or "No income group", *groups])
    partners: pd.DataFrame = data["partners"]
    programmes: pd.DataFrame = data["programmes"]
    dims: pd.DataFrame = data["dimensions"]
    ind: pd.DataFrame = data["indicators"]
    acts: pd.DataFrame = data["activities"]
    has_prog = data["has_programmes"]

    running = programmes[programmes["status"] != "planned"] if len(programmes) else programmes
    tools_n = running["tool"].dropna().nunique() if len(running) else 0
    missing_dims = dims[dims["n_tools"] == 0]["dimension"].tolist() if len(programmes) else dims["dimension"].tolist()
    ind = indicator_gaps(ind)
    gaps = ind[ind["is_gap"]]
    n_gaps = len(gaps)

    if has_prog:
        figures = _figures([
            (str(int(partners["active"].sum())) if len(partners) else "0", "partners active"),
            (str(len(programmes)), "programmes"),
            (str(tools_n), "tools in use"),
            (f"{len(missing_dims)}/{len(dims)}", "LNOB dimensions not addressed"),
            (f"{n_gaps}/{len(ind)}", "indicators with a gap"),
        ])
    else:
        figures = _figures([
            ("Not recorded yet", "partners and programmes"),
            (f"{n_gaps}/{len(ind)}", "indicators with a gap"),
        ])

    # Partners and tools
    if not has_prog:
        p_body = "<p class='none'>No programmes of the collaboratives are recorded yet.</p>"
    elif partners.empty:
        p_body = f"<p class='none'>No programme of the partners in view runs in {esc(name)}.</p>"
    else:
        shown = partners.head(MAX_PARTNERS)
        p_body = _table(
            ["Partner", "Prog.", "Tools used here", "Since"],
            [[esc(r.partner) + ("" if r.active else " <span class='n'>(planned only)</span>"),
              str(int(r.programmes)), esc(clip(r.tools, 85)) if isinstance(r.tools, str) else "—",
              esc(person_date(r.since))] for r in shown.itertuples(index=False)],
            widths=["22%", "9%", "52%", "17%"]) + _more(len(partners) - len(shown), "partners")
    # Dimensions
    if not has_prog or programmes.empty:
        d_body = ("<p>No partner tool is in use here, so <b>no LNOB dimension is addressed</b>: "
                  + esc(", ".join(missing_dims)) + ".</p>")
    elif missing_dims:
        covered = dims[dims["n_tools"] > 0]["dimension"].tolist()
        d_body = ("<ul>" + "".join(f"<li><b>{esc(d)}</b></li>" for d in missing_dims) + "</ul>"
                  + (f"<p class='note'>Addressed by a partner tool in use: {esc(', '.join(covered))}.</p>"
                     if covered else ""))
    else:
        d_body = "<p>Every LNOB dimension is addressed by at least one partner tool in use here.</p>"
    top = ("<div class='cols'>" + _section("Partners and tools present", p_body, "wide")
           + _section("LNOB dimensions not addressed", d_body) + "</div>")

    # Programmes
    if has_prog and not programmes.empty:
        shown = programmes.head(MAX_PROGRAMMES)
        pr_body = _table(
            ["Partner", "Tool", "Support", "Status", "Start", "End"],
            [[esc(r.partner), esc(clip(r.tool, 42)) if isinstance(r.tool, str) else "—", esc(r.support),
              esc(r.status), esc(person_date(r.start)),
              esc(person_date(r.end)) if not pd.isna(r.end) else "open-ended"]
             for r in shown.itertuples(index=False)],
            widths=["15%", "36%", "19%", "10%", "10%", "10%"]) + _more(len(programmes) - len(shown), "programmes (older)")
    else:
        pr_body = "<p class='none'>No programmes in view here.</p>"

    # Gaps
    region = info.get("wb_region") or "its region"
    income = (info.get("income_group") or "its income group").lower()
    if gaps.empty:
        g_body = "<p>No gap: every indicator has a value at or above the medians of the region and income group.</p>"
    else:
        shown = gaps.head(MAX_GAP_ROWS)
        g_body = _table(["Indicator", esc(name), "Region median", "Income-group median", "Gap"],
                        _gap_rows(shown), widths=["37%", "17%", "16%", "17%", "13%"], cls="gaps")
        if len(gaps) > len(shown):
            rest = gaps.iloc[len(shown):]
            g_body += ("<p class='more'>Further gaps: "
                       + esc("; ".join(f"{r.indicator} ({r.against})" for r in rest.itertuples(index=False)))
                       + ".</p>")
    fine = ind[~ind["is_gap"]]
    g_body += (f"<p class='note'>Gap: no value, or the latest value (data year in brackets) below the median of the "
               f"countries with a value in {esc(region)} or among {esc(income)} countries (n = countries).")
    if len(fine):
        g_body += (f" At or above both medians ({len(fine)}): "
                   + esc("; ".join(fine["indicator"].astype(str).tolist())) + ".")
    g_body += "</p>"

    # Activities
    if acts.empty:
        a_body = "<p class='none'>No activity of the collaboratives in view concerns this country.</p>"
    else:
        shown = acts.head(MAX_ACTIVITIES)
        a_body = _table(
            ["Date", "Activity", "Type", "Partners"],
            [[esc(person_date(r.date)), esc(clip(r.title, 95)), esc(r.type), esc(clip(r.partners, 70))]
             for r in shown.itertuples(index=False)],
            widths=["10%", "48%", "14%", "28%"])
        if len(acts) > len(shown):
            a_body += "<p class='more'>Older activities: see the Activities page of the dashboard.</p>"

    body = (_header(f"Country brief: {name}", sub, data) + figures + top
            + lens_html(data.get("lens"), name)
            + _section("Programmes", pr_body)
            + _section("LNOB data gaps against region and income-group medians", g_body)
            + _section("Recent activities", a_body)
            + _sources_footer([ind], data, [
                "<b>Region and income group</b>: World Bank country classification as loaded in the dashboard"]))
    return _document(f"Country brief: {name}", body, standalone)


# --------------------------------------------------------------------------------------
# The brief on the countries of the filters
# --------------------------------------------------------------------------------------
def scope_html(data: dict, *, standalone: bool = True) -> str:
    scope: pd.DataFrame = data["measures"]
    pc: pd.DataFrame = data["partner_country"]
    tc: pd.DataFrame = data["tool_country"]
    acts: pd.DataFrame = data["activities"]
    has_prog = data["has_programmes"]
    n = len(scope)
    with_prog = int((scope["programmes"] > 0).sum()) if n else 0
    ind_frames = [c["indicators"] for c in data["per_country"]]

    if has_prog:
        figures = _figures([
            (str(n), "countries in the filters"),
            (str(with_prog), "with a programme"),
            (str(pc["partner_id"].nunique()) if len(pc) else "0", "partners with programmes"),
            (str(int(scope["programmes"].sum())) if n else "0", "programmes (all statuses)"),
            (str(tc["tool_id"].nunique()) if len(tc) else "0", "partner tools used"),
        ])
    else:
        figures = _figures([(str(n), "countries in the filters"), ("Not recorded yet", "partners and programmes")])

    # Countries
    rows, classes = [], []
    for c, r in zip(data["per_country"], scope.head(len(data["per_country"])).itertuples(index=False)):
        ind = c["indicators"]
        g = ind[ind["indicator_id"] == "gda_pct_any"]
        if len(g):
            gr = g.iloc[0]
            words, gap = against_medians(gr["value"], gr["status"], gr["region_median"], gr["income_median"])
            region_m = format_value(gr["region_median"], "percent") if not pd.isna(gr["region_median"]) else "No data"
            avail = (f"{esc(format_value(gr['value'], 'percent', gr['status']))} "
                     f"<span class='n'>(region {esc(region_m)})</span>" + (f" <b>{esc(words)}</b>" if gap else ""))
        else:
            avail, gap = "No data", True
        dims = c["dimensions"]
        missing = dims[dims["n_tools"] == 0]["dimension"].tolist() if r.programmes else dims["dimension"].tolist()
        miss_text = ("all" if len(missing) == len(dims) else ", ".join(missing)) if missing else "none"
        partners = c["partners"]
        p_text = ", ".join(partners["partner"].tolist()) if len(partners) else "none"
        income = r.income_group if isinstance(r.income_group, str) else None
        rows.append([esc(r.name), esc(INCOME_SHORT.get(income, income or "—")),
                     esc(clip(p_text, 52)) if has_prog else "not recorded",
                     str(int(r.programmes)) if has_prog else "—", avail, esc(clip(miss_text, 48))])
        classes.append("gap" if gap else "")
    shown_n = len(rows)
    c_body = _table(["Country", "Income", "Partners with programmes", "Prog.", "Gender series with any data",
                     "LNOB dimensions not addressed"], rows,
                    widths=["14%", "12%", "25%", "6%", "20%", "23%"], row_classes=classes)
    c_body += ("<p class='note'>Ordered by partners active, then programmes. Gender series with any data: share of "
               "the 89 UN minimum-set gender series with any data point, against the median of the country's World "
               "Bank region (shaded: below the region or income-group median, or no value).</p>")
    c_body += _more(n - shown_n, "countries in the filters", "on the Countries page of the dashboard")
    countries_title = (f"Countries: the top {shown_n} of {n}" if n > shown_n else f"Countries ({n})")

    # Partners and tools
    if not has_prog:
        p_body = "<p class='none'>No programmes of the collaboratives are recorded yet.</p>"
    elif pc.empty:
        p_body = "<p class='none'>No programme of the partners in view runs in these countries.</p>"
    else:
        per = pc.groupby(["partner_id", "partner"], as_index=False).agg(countries=("iso3", "nunique"),
                                                                        programmes=("programmes", "sum"))
        per = per.sort_values(["countries", "programmes", "partner"], ascending=[False, False, True], kind="mergesort")
        tools = {}
        for row in tc.itertuples(index=False):
            for p in str(row.partners).split("; "):
                tools.setdefault(p, set()).add(row.tool)
        shown = per.head(MAX_SCOPE_PARTNERS)
        p_body = _table(["Partner", "Countries", "Prog.", "Tools used in these countries"],
                        [[esc(r.partner), str(int(r.countries)), str(int(r.programmes)),
                          esc(clip("; ".join(sorted(tools.get(r.partner, set()))) or "—", 110))]
                         for r in shown.itertuples(index=False)],
                        widths=["17%", "10%", "7%", "66%"]) + _more(len(per) - len(shown), "partners")

    # LNOB measures across the scope
    m_rows = []
    for key in QC.MAP_INDICATORS:
        meas = QC.MEASURES[key]
        vals = scope[key].dropna() if n else pd.Series(dtype=float)
        statuses = scope[f"{key}_status"] if n else pd.Series(dtype=str)
        counts = statuses.value_counts()
        other = ", ".join(f"{STATUS_TEXT.get(s, s)}: {int(k)}" for s, k in counts.items() if s != "value") or "—"
        m_rows.append([esc(meas.label), str(len(vals)),
                       esc(format_value(vals.median(), meas.unit)) if len(vals) else "No data", esc(other)])
    m_body = _table(["LNOB measure", "Countries with a value", "Median of these countries", "Without a value"],
                    m_rows, widths=["38%", "17%", "20%", "25%"])

    # Activities
    if acts.empty:
        a_body = "<p class='none'>No activity of the collaboratives in view.</p>"
    else:
        shown = acts.head(MAX_ACTIVITIES)
        a_body = _table(["Date", "Activity", "Partners", "Countries"],
                        [[esc(person_date(r.date)), esc(clip(r.title, 70)), esc(clip(r.partners, 45)),
                          esc(clip(r.countries, 40)) if isinstance(r.countries, str) else "—"]
                         for r in shown.itertuples(index=False)],
                        widths=["10%", "44%", "25%", "21%"])

    title = "Brief: the countries in the filters"
    body = (_header(title, f"{n} countries selected by the filters", data) + figures
            + _section(countries_title, c_body)
            + lens_html(data.get("lens"))
            + _section("Partners and tools present", p_body)
            + _section("LNOB data gaps across these countries", m_body)
            + _section("Recent activities", a_body)
            + _sources_footer(ind_frames, data))
    return _document(title, body, standalone)


def render(data: dict, *, standalone: bool = True) -> str:
    """The brief as HTML: a whole document (``standalone``) or a fragment for a preview."""
    if data["kind"] == "country":
        return country_html(data, standalone=standalone)
    return scope_html(data, standalone=standalone)


def file_name(data: dict) -> str:
    as_of = data.get("as_of")
    stamp = as_of.isoformat() if as_of else "no-data"
    what = data["iso3"].lower() if data["kind"] == "country" else "filters"
    return f"brief_{what}_{stamp}.html"

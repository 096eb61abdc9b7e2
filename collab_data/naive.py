"""The naive peer, for the scale benchmark: the same views done "the pandas way".

A dashboard built the obvious way loads its tables into pandas once and, on every rerun,
filters them and computes each page's view with merges, group-bys, crosstabs and a self-merge
for pairs (no SQL, no cache of views). :func:`bench_naive` times that per page and sets it
against our page's warm rerun (AppTest), so the note can say, page by page, how much faster
(ratio above 1) or slower the app is than the naive way on the same data.

Each function computes what its page shows with no filters (the default view): the same
rows and columns, not the same formatting. Nothing here is used by the app.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

TABLES = ["activities", "activity_partners", "activity_countries", "activity_types", "country_programs",
          "collaborations", "collaboration_partners", "partners", "partner_memberships", "tools", "tool_owners",
          "tool_dimensions", "countries", "series_availability", "minset_series", "indicator_values",
          "indicators", "import_batches"]
FAR = pd.Timestamp("2262-01-01")


def load(db_path: Path) -> dict[str, pd.DataFrame]:
    """Every table the pages read, into pandas once (dates as timestamps)."""
    from collab_data.db import get_database

    db = get_database(db_path)
    t = {name: db.query(f"SELECT * FROM {name}") for name in TABLES}  # noqa: S608 - fixed names
    for name, cols in {"activities": ["start_date", "end_date"], "country_programs": ["start_date", "end_date"],
                       "collaborations": ["started_date"]}.items():
        for c in cols:
            t[name][c] = pd.to_datetime(t[name][c])
    return t


def _quarters(t, n: int = 10) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    as_of = t["activities"]["start_date"].max()
    q = pd.Timestamp(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    return [(q - pd.DateOffset(months=3 * i), q - pd.DateOffset(months=3 * i) + pd.DateOffset(months=3)
             - pd.Timedelta(days=1)) for i in range(n)]


def kpis(t) -> dict:
    """The KPIs for the current quarter and the 9 before it (the trend lines)."""
    a, ap, cp = t["activities"], t["activity_partners"], t["country_programs"]
    ks = set(t["activity_types"].loc[t["activity_types"]["is_knowledge_sharing"], "type_id"])
    run = cp[cp["status"].isin(["active", "completed", "paused"])]
    x = ap.merge(ap, on="activity_id")
    x = x[x["partner_id_x"] < x["partner_id_y"]].merge(a[["activity_id", "start_date"]], on="activity_id")
    first = x.groupby(["partner_id_x", "partner_id_y"])["start_date"].min()
    out = {}
    for s, e in _quarters(t):
        act = a[(a["start_date"] >= s) & (a["start_date"] <= e)]
        r = run[(run["start_date"] <= e) & (run["end_date"].fillna(FAR) >= s)]
        out[s] = dict(
            partners=len(set(ap.loc[ap["activity_id"].isin(act["activity_id"]), "partner_id"]) | set(r["partner_id"])),
            knowledge=int(act["type_id"].isin(ks).sum()),
            meetings=int((act["type_id"] == "meeting").sum()),
            new=int(((first >= s) & (first <= e)).sum()) + int(t["collaborations"]["started_date"].between(s, e).sum()),
            countries=r["iso3"].nunique(),
            coordinated=int((r.groupby("iso3")["partner_id"].nunique() >= 2).sum()),
            tools=len(set(r["tool_id"].dropna()) | set(act["tool_id"].dropna())))
    return out


def reporting(t) -> pd.DataFrame:
    """Each partner's last report (activity or programme) and its age."""
    a = t["activities"].merge(t["activity_partners"], on="activity_id")
    last = pd.concat([a[["partner_id", "start_date"]], t["country_programs"][["partner_id", "start_date"]]])
    last = last.groupby("partner_id")["start_date"].max().rename("last")
    out = t["partners"].merge(last, left_on="partner_id", right_index=True, how="left")
    out["days"] = (t["activities"]["start_date"].max() - out["last"]).dt.days
    return out.sort_values("days")


def _activity_lists(t) -> pd.DataFrame:
    a, p = t["activities"], t["partners"]
    names = t["activity_partners"].merge(p[["partner_id", "name"]], on="partner_id")
    names = names.groupby("activity_id")["name"].agg(lambda s: "; ".join(sorted(s)))
    iso = t["activity_countries"].merge(t["countries"][["iso3", "name"]], on="iso3")
    iso = iso.groupby("activity_id")["name"].agg(lambda s: "; ".join(sorted(s)))
    return a.assign(partners=a["activity_id"].map(names), countries=a["activity_id"].map(iso))


def overview(t):
    a = t["activities"]
    timeline = a.assign(q=a["start_date"].dt.to_period("Q")).groupby(["q", "type_id"]).size()
    latest = _activity_lists(t).nlargest(15, "start_date")
    return kpis(t), reporting(t), timeline, latest


def kpis_page(t):
    cp, a = t["country_programs"], t["activities"]
    s, e = _quarters(t)[0]
    ran = cp[(cp["start_date"] <= e) & (cp["end_date"].fillna(FAR) >= s)]
    not_active = sorted(set(cp["iso3"]) - set(ran.loc[ran["status"] != "planned", "iso3"]))
    involved = set(t["activity_partners"].loc[t["activity_partners"]["activity_id"].isin(
        a.loc[a["start_date"].between(s, e), "activity_id"]), "partner_id"]) | set(ran["partner_id"])
    not_involved = t["partner_memberships"][~t["partner_memberships"]["partner_id"].isin(involved)]
    meetings = a[a["type_id"] == "meeting"].groupby("collab_id")["start_date"].agg(["count", "max"])
    return kpis(t), not_active, not_involved, meetings  # the page's first tab: the KPIs and their whys


def partners(t):
    p, cp = t["partners"], t["country_programs"]
    acts = t["activity_partners"].merge(t["activities"][["activity_id", "start_date"]], on="activity_id")
    catalogue = p.merge(t["tool_owners"].groupby("partner_id").size().rename("tools"), on="partner_id", how="left") \
        .merge(cp.groupby("partner_id").agg(programmes=("program_id", "size"), countries=("iso3", "nunique")),
               on="partner_id", how="left") \
        .merge(acts.groupby("partner_id").agg(activities=("activity_id", "size"), last=("start_date", "max")),
               on="partner_id", how="left")
    owners = t["tool_owners"].merge(p[["partner_id", "name"]], on="partner_id")
    tools = t["tools"].merge(owners.groupby("tool_id")["name"].agg("; ".join).rename("owners"), on="tool_id",
                             how="left").merge(cp.groupby("tool_id")["iso3"].nunique().rename("countries"),
                                               on="tool_id", how="left")
    return catalogue, tools, reporting(t)  # the page's first tab: the catalogue, with each partner's reporting


def overlap(t):
    cp = t["country_programs"].merge(t["partners"][["partner_id", "name"]], on="partner_id") \
        .merge(t["countries"][["iso3", "name"]], on="iso3", suffixes=("", "_country"))
    pc = pd.crosstab(cp["name"], cp["name_country"])
    pairs = cp[["partner_id", "iso3"]].drop_duplicates()
    x = pairs.merge(pairs, on="iso3")
    x = x[x["partner_id_x"] != x["partner_id_y"]]
    shared = x.groupby(["partner_id_x", "partner_id_y"]).size().rename("shared").reset_index()
    top = pairs.groupby("partner_id").size().nlargest(40).index
    pair_matrix = shared[shared["partner_id_x"].isin(top) & shared["partner_id_y"].isin(top)]
    top_pairs = shared.sort_values(["partner_id_x", "shared"], ascending=[True, False]).groupby("partner_id_x").head(5)
    tc = pd.crosstab(cp["tool_id"].fillna("none"), cp["name_country"])
    themes = cp.dropna(subset=["topic"]).groupby(["iso3", "topic"])["partner_id"].nunique()
    opportunities = themes[themes >= 2]
    return pc, pair_matrix, top_pairs, tc, opportunities


def network(t):
    a, ap = t["activities"], t["activity_partners"]
    keep = a.loc[a["type_id"] != "meeting", ["activity_id", "start_date"]]
    x = ap[ap["activity_id"].isin(keep["activity_id"])]
    x = x.merge(x, on="activity_id")
    x = x[x["partner_id_x"] < x["partner_id_y"]]
    edges = x.groupby(["partner_id_x", "partner_id_y"]).size().rename("weight").reset_index()
    degree = pd.concat([edges["partner_id_x"], edges["partner_id_y"]]).value_counts()
    top = set(degree.head(15).index)
    drawn = edges[edges["partner_id_x"].isin(top) & edges["partner_id_y"].isin(top)].nlargest(300, "weight")
    return degree, drawn, edges


def activities(t):
    return _activity_lists(t).sort_values("start_date", ascending=False)


def countries(t):
    cp = t["country_programs"]
    s, e = _quarters(t)[0]
    run = cp[(cp["start_date"] <= e) & (cp["end_date"].fillna(FAR) >= s) & (cp["status"] != "planned")]
    per = run.groupby("iso3").agg(partners=("partner_id", "nunique"), programmes=("program_id", "size"),
                                  tools=("tool_id", "nunique"))
    avail = t["series_availability"].groupby("iso3")["n_years"].apply(lambda v: (v > 0).mean())
    return t["countries"].merge(per, on="iso3", how="left").merge(avail.rename("availability"), on="iso3", how="left")


def brief(t, iso3: str = "KEN"):
    cp = t["country_programs"][t["country_programs"]["iso3"] == iso3]
    acts = t["activity_countries"][t["activity_countries"]["iso3"] == iso3]
    return (cp.merge(t["partners"], on="partner_id"), _activity_lists(t)[lambda d: d["activity_id"].isin(
        acts["activity_id"])], t["indicator_values"][t["indicator_values"]["iso3"] == iso3])


def gaps(t):
    sa = t["series_availability"].merge(t["countries"][["iso3", "income_group", "wb_region"]], on="iso3")
    dims = ["by_sex", "by_age", "by_location", "by_disability", "by_income_wealth", "by_education"]
    # the page's first tab: how the series are broken down, per country and LNOB dimension
    return sa.melt(id_vars=["iso3", "wb_region"], value_vars=dims).groupby(["iso3", "variable", "value"]).size()


def meeting(t):
    return kpis(t), overlap(t)[0].iloc[:15, :15]


def manage(t):
    p = t["partners"]
    return p.merge(t["partner_memberships"].groupby("partner_id")["collab_id"].agg("; ".join), on="partner_id",
                   how="left").merge(t["country_programs"].groupby("partner_id").size().rename("programmes"),
                                     on="partner_id", how="left")


#: page file -> the naive view of it
VIEWS: dict[str, Callable] = {
    "pages/overview.py": overview, "pages/kpis.py": kpis_page, "pages/partners.py": partners,
    "pages/overlap.py": overlap, "pages/network.py": network, "pages/activities.py": activities,
    "pages/countries.py": countries, "pages/brief.py": brief, "pages/gaps.py": gaps, "pages/meeting.py": meeting,
    "pages/manage.py": manage,
}


def bench_naive(db_path: Path, *, repeat: int = 3, ours: bool = True) -> list[dict]:
    """Per page: the naive view's time per rerun (median of ``repeat``) and, with ``ours``, our
    page's warm rerun, the part of it spent getting data, and two ratios: the naive view alone
    against our whole rerun (the naive side draws nothing: a ratio that favours it), and the
    naive page (its view plus the same drawing as ours) against ours."""
    tables = load(db_path)
    rows = []
    for page, fn in VIEWS.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(tables)
            times.append((time.perf_counter() - t0) * 1000)
        rows.append({"page": page, "naive_ms": statistics.median(times)})
    if ours:  # our pages, cold then warm, through the page benchmark (no warm-up, a child process)
        from collab_data import bench
        from collab_data.db import close_all

        close_all()  # the child process opens the database itself
        mine = {r["page"]: r for r in bench.bench_pages(db_path, repeat=repeat, pages=list(VIEWS), sql=False,
                                                         isolate=True)}
        for row in rows:
            row["ours_ms"] = mine.get(row["page"], {}).get("warm_ms")
            row["data_ms"] = mine.get(row["page"], {}).get("warm_data_ms")
    return rows


def format_naive(rows: list[dict], db_name: str) -> str:
    out = [f"database: {db_name}; naive: tables in pandas, each view computed on every rerun (nothing drawn); "
           "ours: the page's warm rerun (AppTest), of which data: getting its views from the cache",
           f"{'page':<16} {'naive ms':>9} {'ours ms':>8} {'data ms':>8} {'view/page':>10} {'page/page':>10}"]
    for r in rows:
        ours, data = r.get("ours_ms"), r.get("data_ms")
        if ours:
            drawing = max(ours - (data or 0.0), 0.0)
            out.append(f"{r['page'].removeprefix('pages/'):<16} {r['naive_ms']:9.0f} {ours:8.0f} {data:8.1f} "
                       f"{r['naive_ms'] / ours:9.1f}x {(r['naive_ms'] + drawing) / ours:9.1f}x")
        else:
            out.append(f"{r['page'].removeprefix('pages/'):<16} {r['naive_ms']:9.0f} {'—':>8} {'—':>8} {'—':>10} "
                       f"{'—':>10}")
    out.append("view/page: the naive view alone / our whole rerun (drawing included). page/page: the naive page (its "
               "view plus the same drawing as ours) / ours. Above 1, the app reruns faster than the naive way.")
    return "\n".join(out)

"""What the Partners & tools page shows: the catalogue tables, the partner and tool profiles
and the tool pipeline, as frames with readable labels, sentences and figures. The page only
draws them (Streamlit's column settings and widgets stay there).

The pipeline chart is built by :func:`pipeline_chart`, a pure function of the database and
a Filters value, so its finished spec is cached per filters and data generation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from collab_data.charts import catalogue as charts
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.labels import EITHER_COLLABORATIVE, MISSING, OUTSIDE_BOTH, person_date
from collab_data.queries import catalogue as Q
from collab_data.views import freshness as VF

#: The sections of the "Partners & tools" page: key -> tab label (the label is what the address
#: holds, so it carries no count). Only the open tab is worked out and drawn.
TABS = {
    "partners": "🏢 Partners",
    "tools": "🧰 Tools",
    "partner": "🔎 Partner profile",
    "tool": "🔎 Tool profile",
    "pipeline": "📦 Tool pipeline",
    "reporting": "🕒 Reporting freshness",
}


def kind_label(kind: object) -> object:
    """"methodology" -> "Methodology" (a missing kind stays missing)."""
    return kind.capitalize() if isinstance(kind, str) else kind


def stage_label(stage: object) -> object:
    return charts.STAGE_LABELS.get(stage, stage)


# -- catalogue ------------------------------------------------------------------------------
@dataclass
class Catalogue:
    partners: pd.DataFrame  # one row per partner in view matching the search, readable columns
    tools: pd.DataFrame

    def count_text(self, searching: bool) -> str:
        """"15 partners and 20 tools in view." (or "... match the search.")."""
        n_p, n_t = len(self.partners), len(self.tools)
        return (f"{n_p:,} partner{'' if n_p == 1 else 's'} and {n_t:,} tool{'' if n_t == 1 else 's'} "
                + ("match the search." if searching else "in view."))


def partners_table(partners: pd.DataFrame, reporting_of: dict[str, str] | None = None) -> pd.DataFrame:
    """The partner catalogue with readable columns; ``reporting_of``: partner label -> reporting
    status (see :func:`with_reporting`)."""
    label = partners["acronym"].fillna(partners["name"])
    return pd.DataFrame({
        "Partner": label,
        "Name": partners["name"],
        "Type": partners["org_type"].map(Q.ORG_TYPE_LABELS),
        "Headquarters": partners["hq"].fillna(MISSING),
        "Collaboratives": partners["collaboratives"].fillna(OUTSIDE_BOTH),
        "Reporting": label.map(reporting_of or {}),
        "Tools": partners["tools"].fillna(MISSING),
        "Topics": partners["topics"].fillna(MISSING),
        "Countries": partners["countries"],
        "Programmes": partners["programmes"],
        "Website": partners["website"],
        "Description": partners["description"],
    })


def tools_table(tools: pd.DataFrame) -> pd.DataFrame:
    """The tool catalogue with readable columns."""
    return pd.DataFrame({
        "Tool": tools["name"],
        "Kind": tools["kind"].map(kind_label),
        "Stage": tools["stage"].map(stage_label),
        "Owners": tools["owners"].fillna(MISSING),
        "Topics": tools["topics"].fillna(MISSING),
        "LNOB dimensions": tools["dimensions"].fillna(MISSING),
        "Launched": tools["launched_year"].astype("Int64"),
        "Countries": tools["countries"],
        "Programmes": tools["programmes"],
        "Website": tools["website"],
        "Description": tools["description"],
    })


def catalogue(db: Database, f: Filters, search: str) -> Catalogue:
    """The partners and tools in view matching ``search`` (every word). The partners' reporting
    status is filled in by :func:`with_reporting` from the page's reporting panel (computed once
    for the filters and the day, not again for every search)."""
    return Catalogue(partners_table(Q.partners_catalogue(db, f, search)), tools_table(Q.tools_catalogue(db, f, search)))


def with_reporting(partners: pd.DataFrame, reporting: VF.ReportingPanel) -> pd.DataFrame:
    """The partner table of :func:`catalogue` with each partner's reporting status on the panel's day
    (none for a partner outside the collaboratives in view)."""
    reporting_of = dict(zip(reporting.table["Partner"], reporting.table["Status"]))
    return partners.assign(Reporting=partners["Partner"].map(reporting_of))


# -- profiles -------------------------------------------------------------------------------
@dataclass
class Table:
    """One tab of a profile: its table, or (when empty) the sentence said after the name."""
    label: str
    table: pd.DataFrame
    empty: str
    title: str
    file_stem: str
    key: str

    @property
    def is_empty(self) -> bool:
        return self.table.empty


@dataclass
class Choices:
    labels: dict[str, str]  # id -> label
    default: int = 0  # index of the option the picker opens on


def partner_choices(db: Database, f: Filters) -> Choices:
    """The partners to pick from; opens on the one with the most programmes, activities and collaborations."""
    choices = Q.partner_choices(db, f)
    if choices.empty:
        return Choices({})
    return Choices(dict(zip(choices["partner_id"], choices["label"], strict=True)), Q.default_partner(choices))


def tool_choices(db: Database, f: Filters) -> Choices:
    choices = Q.tool_choices(db, f)
    return Choices(dict(zip(choices["tool_id"], choices["label"], strict=True)) if not choices.empty else {})


@dataclass
class PartnerProfile:
    title: str
    facts: str  # Markdown: type · headquarters · [website](website)
    description: str | None  # the partner's own text (to escape)
    members: str  # "Member of: ... · Task teams: ..."
    metrics: list[tuple[str, int, str | None]]  # (label, value, help)
    tabs: list[Table] = field(default_factory=list)


def partner_profile(db: Database, f: Filters, partner_id: str, name: str) -> PartnerProfile:
    """A partner's profile: facts, counts and one table per tab. ``name``: the label the picker shows."""
    prof = Q.partner_profile(db, f, partner_id)
    info = prof["info"].iloc[0]
    facts = [Q.ORG_TYPE_LABELS.get(info["org_type"], info["org_type"])]
    if pd.notna(info["hq"]):
        facts.append(f"headquarters: {info['hq']}")
    if pd.notna(info["website"]):
        facts.append(f"[{info['website']}]({info['website']})")
    members = ("Member of: " + (info["collaboratives"] if pd.notna(info["collaboratives"]) else "no collaborative")
               + (f" · Task teams: {info['task_teams']}" if pd.notna(info["task_teams"]) else ""))
    metrics = [("Tools", len(prof["tools"]), None), ("Countries", len(prof["countries"]), "With a programme in view"),
               ("Programmes", len(prof["programmes"]), None), ("Activities", len(prof["activities"]), None),
               ("Collaborations", len(prof["collaborations"]), None)]
    d = prof["tools"]
    tools = pd.DataFrame({"Tool": d["tool"], "Kind": d["kind"].map(kind_label), "Stage": d["stage"].map(stage_label),
                          "Co-owners": d["co_owners"].fillna(MISSING), "Countries": d["countries"]})
    d = prof["countries"]
    countries = pd.DataFrame({"Country": d["country"], "ISO3": d["iso3"], "Income group": d["income_group"],
                              "Programmes": d["programmes"], "Topics": d["topics"].fillna(MISSING),
                              "Tools": d["tools"].fillna(MISSING),
                              "Other partners there": d["other_partners"].fillna("None: works alone")})
    d = prof["programmes"]
    programmes = pd.DataFrame({"Programme": d["program_id"], "Country": d["country"], "ISO3": d["iso3"],
                               "Tool": d["tool"].fillna(MISSING), "Support": d["support_type"].map(Q.SUPPORT_LABELS),
                               "Topic": d["topic"].fillna(MISSING), "Start": d["start_date"].map(person_date),
                               "End": d["end_date"].map(person_date), "Status": d["status"].str.capitalize()})
    d = prof["activities"]
    activities = pd.DataFrame({"Date": d["start_date"].map(person_date), "Activity": d["title"], "Type": d["type"],
                               "Collaborative": d["collaborative"].fillna(EITHER_COLLABORATIVE),
                               "With": d["with_partners"].fillna(MISSING), "Outcome": d["outcome"].fillna(MISSING)})
    d = prof["collaborations"]
    collaborations = pd.DataFrame({"Started": d["started_date"].map(person_date), "Collaboration": d["title"],
                                   "Kind": d["kind"].map(Q.COLLABORATION_KIND_LABELS),
                                   "With partners": d["with_partners"].fillna(MISSING),
                                   "Grew out of": d["origin_activity"].fillna(MISSING)})
    pid = partner_id
    tabs = [
        Table("Tools", tools, "owns no tool in view.", f"Tools of {name}", f"partner_{pid}_tools", "dl_pt_p_tools"),
        Table("Countries", countries, "has no country programme in view.", f"Countries of {name}",
              f"partner_{pid}_countries", "dl_pt_p_countries"),
        Table("Programmes", programmes, "has no country programme in view.", f"Programmes of {name}",
              f"partner_{pid}_programmes", "dl_pt_p_programmes"),
        Table("Activities", activities, "took part in no activity in view.", f"Activities of {name}",
              f"partner_{pid}_activities", "dl_pt_p_activities"),
        Table("Collaborations", collaborations, "has no collaboration in view.", f"Collaborations of {name}",
              f"partner_{pid}_collaborations", "dl_pt_p_collabs"),
    ]
    title = info["name"] + (f" ({info['acronym']})" if pd.notna(info["acronym"]) else "")
    return PartnerProfile(title, " · ".join(facts), info["description"] if pd.notna(info["description"]) else None,
                          members, metrics, tabs)


@dataclass
class ToolProfile:
    name: str
    facts: str  # Markdown: kind · stage · launched · website
    owners: str | None  # the owners' names (to escape), None: not recorded
    description: str | None
    dimensions: list[str]
    topics: list[str]
    countries: Table


def tool_profile(db: Database, f: Filters, tool_id: str) -> ToolProfile:
    prof = Q.tool_profile(db, f, tool_id)
    info = prof["info"].iloc[0]
    facts = [f"**{kind_label(info['kind'])}**", f"stage: **{stage_label(info['stage'])}**"]
    if pd.notna(info["launched_year"]):
        facts.append(f"launched {int(info['launched_year'])}")
    if pd.notna(info["website"]):
        facts.append(f"[{info['website']}]({info['website']})")
    d = prof["countries"]
    countries = pd.DataFrame({"Country": d["country"], "ISO3": d["iso3"], "Income group": d["income_group"],
                              "Programmes": d["programmes"], "Partners": d["partners"],
                              "Status": d["statuses"].str.capitalize(), "First start": d["first_start"].map(person_date)})
    return ToolProfile(
        name=info["name"], facts=" · ".join(facts),
        owners=info["owners"] if pd.notna(info["owners"]) else None,
        description=info["description"] if pd.notna(info["description"]) else None,
        dimensions=prof["dimensions"]["dimension"].tolist(), topics=prof["topics"]["topic"].tolist(),
        countries=Table("Countries", countries, "No programme in view uses this tool.",
                        f"Countries using {info['name']}", f"tool_{tool_id}_countries", "dl_pt_t_countries"))


# -- pipeline -------------------------------------------------------------------------------
@dataclass
class Pipeline:
    chart_data: pd.DataFrame  # stage x kind: the chart's data, readable (downloaded)
    table: pd.DataFrame  # one row per tool, by stage
    empty_stages: list[str]  # stage labels without any tool in view

    @property
    def empty(self) -> bool:
        return self.chart_data.empty


def pipeline(db: Database, f: Filters) -> Pipeline:
    """The tools in view by stage (concept to mature) and kind."""
    p = Q.tool_pipeline(db, f)
    chart_data = pd.DataFrame({"Stage": p["stage"].map(stage_label), "Kind": p["kind"].map(kind_label),
                               "Tools": p["tools"], "Which": p["names"]})
    if p.empty:
        return Pipeline(chart_data, pd.DataFrame(), [])
    by_stage = Q.tools_by_stage(db, f)
    table = pd.DataFrame({"Stage": by_stage["stage"].map(stage_label), "Tool": by_stage["name"],
                          "Kind": by_stage["kind"].map(kind_label), "Owners": by_stage["owners"],
                          "Launched": by_stage["launched_year"].astype("Int64"),
                          "Countries": by_stage["countries"]})
    empty = [charts.STAGE_LABELS[s] for s in charts.STAGES if s not in set(by_stage["stage"])]
    return Pipeline(chart_data, table, empty)


def pipeline_chart(db: Database, f: Filters):
    """The tool pipeline chart (stage bars stacked by kind)."""
    return charts.pipeline_chart(Q.tool_pipeline(db, f))


def has_catalogue(db: Database) -> bool:
    """Whether any partner or tool is recorded at all."""
    from collab_data import queries

    counts = queries.collab_counts(db)
    return bool(counts.get("partners") or counts.get("tools"))

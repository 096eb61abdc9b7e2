"""Generate the sample data of the Collaborative Data Dashboard.

These are SAMPLE records for demonstration, not real programme data. The
country programmes, activities, collaborations, KPI targets, membership dates
and task-team memberships are invented to show how the dashboard works. The
exceptions are the partner organisations and the tool names: those are real
public organisations and products, described with public facts only (a field
is left blank where a fact was not certain).

Run from the project root:

    python data/sample/generate.py

The script reads the World Bank income classification
(data/reference/wb_class_income_groups_fy26.csv) for the list of low- and
middle-income countries and writes the CSV files next to itself. It uses a
fixed random seed, so running it twice gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

import pandas as pd

SEED = 20261122
TODAY = dt.date(2026, 11, 22)  # the "as of" date the sample is built around
ACT_FIRST = dt.date(2024, 1, 1)
ACT_LAST = dt.date(2026, 11, 15)
PROG_FIRST = dt.date(2021, 1, 1)
PROG_LAST = dt.date(2027, 12, 31)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WB_FILE = ROOT / "data" / "reference" / "wb_class_income_groups_fy26.csv"

LMIC_GROUPS = ("Low income", "Lower middle income", "Upper middle income")

# ---------------------------------------------------------------------------
# Partners: real organisations, public facts only. Memberships, task teams and
# joined dates are SAMPLE records.
# ---------------------------------------------------------------------------
PARTNER_COLUMNS = [
    "partner_id", "name", "acronym", "org_type", "hq_iso3", "website",
    "description", "collaboratives", "task_teams", "joined_gender", "joined_lnob",
]

PARTNERS = [
    dict(partner_id="data2x", name="Data2X", acronym="", org_type="ngo", hq_iso3="USA",
         website="https://data2x.org",
         description="Data2X is a gender data alliance, founded in 2012 at the United Nations "
                     "Foundation, that works with partners to improve the production and use of gender data.",
         collaboratives="gender;lnob", task_teams="inclusive_data_charter",
         joined_gender="2022-03-15", joined_lnob="2023-04-20"),
    dict(partner_id="paris21", name="Partnership in Statistics for Development in the 21st Century",
         acronym="PARIS21", org_type="multilateral", hq_iso3="FRA",
         website="https://www.paris21.org",
         description="PARIS21 is a partnership founded in 1999 that promotes the better production and use "
                     "of statistics in low- and middle-income countries; its secretariat is hosted by the OECD in Paris.",
         collaboratives="gender", task_teams="",
         joined_gender="2022-03-15", joined_lnob=""),
    dict(partner_id="odw", name="Open Data Watch", acronym="ODW", org_type="ngo", hq_iso3="USA",
         website="https://opendatawatch.com",
         description="Open Data Watch is a non-profit organisation working at the intersection of open data "
                     "and official statistics, known for the Open Data Inventory (ODIN).",
         collaboratives="gender;lnob", task_teams="citizen_generated_data",
         joined_gender="2022-03-15", joined_lnob="2023-09-12"),
    dict(partner_id="unwomen", name="United Nations Entity for Gender Equality and the Empowerment of Women",
         acronym="UN Women", org_type="un_agency", hq_iso3="USA",
         website="https://www.unwomen.org",
         description="UN Women is the United Nations entity dedicated to gender equality and the empowerment "
                     "of women, and runs the Women Count gender data programme.",
         collaboratives="gender;lnob", task_teams="citizen_generated_data",
         joined_gender="2022-03-15", joined_lnob="2023-04-20"),
    dict(partner_id="worldbank", name="World Bank", acronym="", org_type="multilateral", hq_iso3="USA",
         website="https://www.worldbank.org",
         description="The World Bank is an international financial institution that provides financing, "
                     "knowledge and technical assistance to low- and middle-income countries.",
         collaboratives="gender;lnob", task_teams="inclusive_data_charter",
         joined_gender="2022-03-15", joined_lnob="2023-06-05"),
    dict(partner_id="equality_insights", name="Equality Insights", acronym="", org_type="ngo",
         hq_iso3="AUS", website="https://equalityinsights.org",
         description="Equality Insights is a programme of the International Women's Development Agency (IWDA) "
                     "that measures poverty and inequality at the individual level with a gender-sensitive, "
                     "multidimensional measure.",
         collaboratives="gender", task_teams="",
         joined_gender="2023-02-28", joined_lnob=""),
    dict(partner_id="em2030", name="Equal Measures 2030", acronym="EM2030", org_type="network",
         hq_iso3="GBR", website="https://www.equalmeasures2030.org",
         description="Equal Measures 2030 is a partnership of civil society and private sector organisations "
                     "that connects data and evidence with advocacy for gender equality and publishes the SDG Gender Index.",
         collaboratives="gender", task_teams="",
         joined_gender="2022-09-21", joined_lnob=""),
    dict(partner_id="gpsdd", name="Global Partnership for Sustainable Development Data", acronym="GPSDD",
         org_type="network", hq_iso3="USA", website="https://www.data4sdgs.org",
         description="The Global Partnership for Sustainable Development Data is a multi-stakeholder network of "
                     "governments, civil society, businesses and other organisations that hosts the Inclusive Data Charter.",
         collaboratives="lnob", task_teams="inclusive_data_charter;citizen_generated_data",
         joined_gender="", joined_lnob="2023-04-20"),
    dict(partner_id="unicef", name="United Nations Children's Fund", acronym="UNICEF", org_type="un_agency",
         hq_iso3="USA", website="https://www.unicef.org",
         description="UNICEF is the United Nations agency for children and supports countries' household survey "
                     "data through the Multiple Indicator Cluster Surveys (MICS).",
         collaboratives="lnob", task_teams="inclusive_data_charter",
         joined_gender="", joined_lnob="2023-06-05"),
    dict(partner_id="unsd", name="United Nations Statistics Division", acronym="UNSD", org_type="un_agency",
         hq_iso3="USA", website="https://unstats.un.org",
         description="The United Nations Statistics Division, part of UN DESA, serves the UN Statistical Commission "
                     "and convenes the Collaborative on Citizen Data with partners.",
         collaboratives="lnob", task_teams="citizen_generated_data",
         joined_gender="", joined_lnob="2023-09-12"),
    dict(partner_id="devinit", name="Development Initiatives", acronym="DI", org_type="ngo", hq_iso3="GBR",
         website="https://devinit.org",
         description="Development Initiatives is an independent international development organisation that uses "
                     "data and evidence to help end poverty, and is a champion of the Inclusive Data Charter.",
         collaboratives="lnob", task_teams="inclusive_data_charter",
         joined_gender="", joined_lnob="2023-04-20"),
    dict(partner_id="sightsavers", name="Sightsavers", acronym="", org_type="ngo", hq_iso3="GBR",
         website="https://www.sightsavers.org",
         description="Sightsavers is an international organisation working to prevent avoidable blindness and "
                     "promote the rights of people with disabilities, and a founding champion of the Inclusive Data Charter.",
         collaboratives="lnob", task_teams="inclusive_data_charter",
         joined_gender="", joined_lnob="2023-04-20"),
    dict(partner_id="helpage", name="HelpAge International", acronym="", org_type="ngo", hq_iso3="GBR",
         website="https://www.helpage.org",
         description="HelpAge International is a global network of organisations working for the rights and "
                     "wellbeing of older people, including better age-disaggregated data.",
         collaboratives="lnob", task_teams="inclusive_data_charter",
         joined_gender="", joined_lnob="2024-02-14"),
    dict(partner_id="civicus", name="CIVICUS: World Alliance for Citizen Participation", acronym="CIVICUS",
         org_type="network", hq_iso3="ZAF", website="https://www.civicus.org",
         description="CIVICUS is a global alliance of civil society organisations and activists whose DataShift "
                     "initiative promoted citizen-generated data for monitoring sustainable development.",
         collaboratives="lnob", task_teams="citizen_generated_data",
         joined_gender="", joined_lnob="2024-06-18"),
    dict(partner_id="dihr", name="Danish Institute for Human Rights", acronym="DIHR", org_type="government",
         hq_iso3="DNK", website="https://www.humanrights.dk",
         description="The Danish Institute for Human Rights is Denmark's national human rights institution and "
                     "works on human rights-based approaches to data, including citizen data.",
         collaboratives="lnob", task_teams="citizen_generated_data",
         joined_gender="", joined_lnob="2025-02-11"),
]

# ---------------------------------------------------------------------------
# Tools: real public products. launched_year / website only where certain.
# ---------------------------------------------------------------------------
TOOL_COLUMNS = [
    "tool_id", "name", "kind", "stage", "owners", "topics", "lnob_dimensions",
    "launched_year", "website", "description",
]

TOOLS = [
    dict(tool_id="odin", name="Open Data Inventory (ODIN)", kind="index", stage="mature", owners="odw",
         topics="open data;data governance", lnob_dimensions="sex;location", launched_year="",
         website="https://odin.opendatawatch.com",
         description="An assessment of the coverage and openness of official statistics published by national "
                     "statistical offices, produced by Open Data Watch."),
    dict(tool_id="gender_data_compass", name="Gender Data Compass", kind="index", stage="scaling", owners="odw",
         topics="gender statistics;open data", lnob_dimensions="sex", launched_year="2023", website="",
         description="An Open Data Watch initiative, introduced in 2023, that assesses the availability and "
                     "openness of gender data in countries' official statistics."),
    dict(tool_id="bridge", name="BRIDGE (Building Responsive Investments in Data for Gender Equality)",
         kind="methodology", stage="pilot", owners="data2x;odw",
         topics="gender statistics;financing;capacity building", lnob_dimensions="sex", launched_year="2023",
         website="",
         description="A maturity-model assessment by Data2X and Open Data Watch that helps national statistical "
                     "systems assess their gender data systems and plan investments."),
    dict(tool_id="state_of_gender_data_financing", name="State of Gender Data Financing", kind="dataset",
         stage="mature", owners="data2x;odw", topics="financing;gender statistics", lnob_dimensions="sex",
         launched_year="2019", website="",
         description="Reports by Data2X and Open Data Watch that assess funding for gender data and the financing "
                     "gap for core gender data systems."),
    dict(tool_id="sdg_gender_index", name="SDG Gender Index", kind="index", stage="mature", owners="em2030",
         topics="gender statistics;economic empowerment;health;violence against women", lnob_dimensions="sex",
         launched_year="2019", website="https://www.equalmeasures2030.org/products/sdg-gender-index/",
         description="Equal Measures 2030's index of the state of gender equality across 14 of the 17 Sustainable "
                     "Development Goals, published in full in 2019 after a 2018 pilot."),
    dict(tool_id="women_count_data_hub", name="Women Count Data Hub", kind="platform", stage="mature",
         owners="unwomen", topics="gender statistics;open data", lnob_dimensions="sex;age;location",
         launched_year="", website="https://data.unwomen.org",
         description="UN Women's online data hub presenting gender statistics and gender-related SDG indicators "
                     "by country."),
    dict(tool_id="counted_and_visible", name="Counted and Visible Toolkit", kind="guidance", stage="scaling",
         owners="unwomen", topics="gender statistics;census and surveys;capacity building",
         lnob_dimensions="sex;age;disability;location;income;migratory_status;education", launched_year="2021",
         website="",
         description="A UN Women toolkit, prepared with the Intersecretariat Working Group on Household Surveys, "
                     "on using existing household survey data to produce disaggregated gender statistics."),
    dict(tool_id="wb_gender_data_portal", name="Gender Data Portal", kind="platform", stage="mature",
         owners="worldbank", topics="gender statistics;open data;economic empowerment",
         lnob_dimensions="sex;age;location;income", launched_year="", website="https://genderdata.worldbank.org",
         description="The World Bank's portal of sex-disaggregated data and gender statistics."),
    dict(tool_id="lsms", name="Living Standards Measurement Study (LSMS)", kind="dataset", stage="mature",
         owners="worldbank", topics="census and surveys;poverty;economic empowerment",
         lnob_dimensions="sex;age;location;income;education", launched_year="1980",
         website="https://www.worldbank.org/lsms",
         description="The World Bank's household survey programme that helps countries produce multi-topic "
                     "household survey data for poverty and policy analysis."),
    dict(tool_id="idm", name="Individual Deprivation Measure", kind="methodology", stage="mature",
         owners="equality_insights", topics="poverty;gender statistics;time use",
         lnob_dimensions="sex;age;disability;location", launched_year="",
         website="https://www.individualdeprivationmeasure.org",
         description="An individual-level, gender-sensitive measure of multidimensional poverty across 15 "
                     "dimensions of life, developed by the Australian National University with IWDA."),
    dict(tool_id="equality_insights_rapid", name="Equality Insights Rapid", kind="methodology", stage="scaling",
         owners="equality_insights", topics="poverty;gender statistics;census and surveys",
         lnob_dimensions="sex;age;disability;location", launched_year="", website="",
         description="A shorter, phone-based version of the Equality Insights survey that measures individual "
                     "deprivation across 15 dimensions of life."),
    dict(tool_id="clearinghouse_financing", name="Clearinghouse for Financing Development Data", kind="platform",
         stage="scaling", owners="paris21", topics="financing;data governance", lnob_dimensions="",
         launched_year="2021", website="",
         description="An online platform of the Bern Network on Financing Data for Development, launched at the "
                     "2021 UN World Data Forum, that tracks financing for data and statistics."),
    dict(tool_id="press", name="Partner Report on Support to Statistics (PRESS)", kind="dataset", stage="mature",
         owners="paris21", topics="financing", lnob_dimensions="", launched_year="", website="",
         description="PARIS21's report on international financial support to data and statistics, based mainly "
                     "on the OECD Creditor Reporting System."),
    dict(tool_id="adapt", name="Advanced Data Planning Tool (ADAPT)", kind="platform", stage="scaling",
         owners="paris21", topics="data governance;capacity building", lnob_dimensions="", launched_year="",
         website="",
         description="A PARIS21 online tool that helps national statistical systems map data needs from policy "
                     "plans and plan data production."),
    dict(tool_id="inclusive_data_charter", name="Inclusive Data Charter", kind="standard", stage="mature",
         owners="gpsdd", topics="data governance;disability",
         lnob_dimensions="sex;age;disability;location;income;migratory_status;ethnicity", launched_year="2018",
         website="https://www.data4sdgs.org/initiatives/inclusive-data-charter",
         description="A GPSDD initiative, launched in July 2018, in which governments and organisations commit to "
                     "action plans for more inclusive and disaggregated data."),
    dict(tool_id="copenhagen_framework", name="Copenhagen Framework on Citizen Data", kind="guidance",
         stage="pilot", owners="unsd;unwomen", topics="citizen data;data governance",
         lnob_dimensions="sex;disability;migratory_status;ethnicity", launched_year="2024", website="",
         description="A framework developed by the Collaborative on Citizen Data and presented to the UN "
                     "Statistical Commission in 2024, with principles for using citizen data."),
    dict(tool_id="minimum_set_gender_indicators", name="Minimum Set of Gender Indicators", kind="standard",
         stage="mature", owners="unsd", topics="gender statistics", lnob_dimensions="sex;age;location",
         launched_year="2013", website="",
         description="A set of gender indicators agreed by the UN Statistical Commission in 2013 to guide the "
                     "national production and international compilation of gender statistics."),
    dict(tool_id="mics", name="Multiple Indicator Cluster Surveys (MICS)", kind="dataset", stage="mature",
         owners="unicef", topics="census and surveys;health",
         lnob_dimensions="sex;age;disability;location;income;education", launched_year="1995",
         website="https://mics.unicef.org",
         description="UNICEF's international household survey programme that produces data on the situation of "
                     "children and women."),
    dict(tool_id="child_functioning_module", name="Child Functioning Module", kind="methodology", stage="mature",
         owners="unicef", topics="disability;census and surveys", lnob_dimensions="age;disability",
         launched_year="", website="",
         description="A survey module developed by UNICEF and the Washington Group on Disability Statistics to "
                     "identify children with functional difficulties."),
    dict(tool_id="datashift", name="DataShift", kind="training", stage="mature", owners="civicus",
         topics="citizen data;capacity building", lnob_dimensions="", launched_year="2014",
         website="https://thedatashift.civicus.org",
         description="A CIVICUS initiative, launched in 2014, that built civil society capacity to produce and "
                     "use citizen-generated data."),
]

TOPICS = [
    "gender statistics", "financing", "open data", "time use", "economic empowerment", "poverty", "health",
    "violence against women", "data governance", "citizen data", "census and surveys", "capacity building",
    "disability",
]

# How a topic tag reads inside an activity title.
TOPIC_PHRASE = {
    "gender statistics": "gender statistics", "financing": "financing for data", "open data": "open data",
    "time use": "time-use statistics", "economic empowerment": "data on women's economic empowerment",
    "poverty": "poverty measurement", "health": "health statistics",
    "violence against women": "data on violence against women", "data governance": "data governance",
    "citizen data": "citizen data", "census and surveys": "household survey methods",
    "capacity building": "statistical capacity development", "disability": "disability data",
}

# Support types that fit each partner when a programme uses none of its tools.
PARTNER_SUPPORT = {
    "data2x": ["technical_assistance", "advocacy", "financing"],
    "paris21": ["technical_assistance", "training", "financing", "peer_review"],
    "odw": ["technical_assistance", "training", "peer_review"],
    "unwomen": ["technical_assistance", "data_production", "training", "advocacy"],
    "worldbank": ["technical_assistance", "data_production", "financing", "training"],
    "equality_insights": ["data_production", "technical_assistance", "training"],
    "em2030": ["advocacy", "training"],
    "gpsdd": ["technical_assistance", "advocacy", "peer_review"],
    "unicef": ["data_production", "technical_assistance", "training"],
    "unsd": ["technical_assistance", "training", "peer_review"],
    "devinit": ["technical_assistance", "advocacy", "financing", "training"],
    "sightsavers": ["technical_assistance", "training", "advocacy", "data_production"],
    "helpage": ["technical_assistance", "advocacy", "data_production", "training"],
    "civicus": ["training", "advocacy", "technical_assistance"],
    "dihr": ["technical_assistance", "training", "advocacy", "peer_review"],
}

# Default topics of partners when a programme or activity has no tool.
PARTNER_TOPICS = {
    "data2x": ["gender statistics", "financing", "economic empowerment", "time use"],
    "paris21": ["capacity building", "financing", "data governance", "gender statistics"],
    "odw": ["open data", "gender statistics", "financing"],
    "unwomen": ["gender statistics", "violence against women", "time use", "census and surveys"],
    "worldbank": ["census and surveys", "poverty", "economic empowerment", "gender statistics"],
    "equality_insights": ["poverty", "gender statistics", "time use"],
    "em2030": ["gender statistics", "violence against women", "health"],
    "gpsdd": ["data governance", "citizen data", "disability"],
    "unicef": ["census and surveys", "health", "disability"],
    "unsd": ["gender statistics", "citizen data", "census and surveys"],
    "devinit": ["poverty", "financing", "data governance"],
    "sightsavers": ["disability", "health", "census and surveys"],
    "helpage": ["census and surveys", "health", "disability"],
    "civicus": ["citizen data", "capacity building"],
    "dihr": ["citizen data", "data governance"],
}

# How much each partner does in countries (programme weight) and which regions it favours.
PARTNER_WEIGHT = {
    "worldbank": 10, "unwomen": 10, "unicef": 9, "paris21": 9, "odw": 8, "data2x": 6, "gpsdd": 6,
    "unsd": 5, "sightsavers": 5, "em2030": 2, "helpage": 3, "devinit": 4, "equality_insights": 3,
    "civicus": 3, "dihr": 2,
}
SSA, SAS, EAP, LAC, MNA, ECA = "SSA", "SAS", "EAP", "LAC", "MNA", "ECA"
REGION_CODE = {
    "Sub-Saharan Africa": SSA, "South Asia": SAS, "East Asia & Pacific": EAP,
    "Latin America & Caribbean": LAC, "Middle East, North Africa, Afghanistan & Pakistan": MNA,
    "Europe & Central Asia": ECA,
}
REGION_AFFINITY = {
    "equality_insights": {EAP: 5.0, SAS: 1.0, SSA: 0.4, LAC: 0.05, MNA: 0.05, ECA: 0.05},
    "em2030": {LAC: 2.0, SSA: 1.3, SAS: 1.5, EAP: 1.0, MNA: 0.4, ECA: 0.3},
    "sightsavers": {SSA: 2.0, SAS: 1.5, MNA: 0.8, EAP: 0.3, LAC: 0.1, ECA: 0.1},
    "helpage": {SSA: 1.3, SAS: 1.2, EAP: 1.2, LAC: 0.8, MNA: 0.8, ECA: 0.8},
    "civicus": {SSA: 1.6, LAC: 1.2, SAS: 1.0, EAP: 0.6, MNA: 0.6, ECA: 0.4},
    "dihr": {SSA: 1.2, LAC: 1.0, EAP: 1.0, SAS: 0.8, MNA: 0.6, ECA: 0.8},
    "paris21": {SSA: 1.4, MNA: 1.0, EAP: 1.0, SAS: 1.0, LAC: 0.8, ECA: 0.8},
}

# Countries used in the sample. Tier: "core" countries are shared by 3-5 partners,
# "mid" by 2-3, "single" by exactly one partner.
CORE = ["KEN", "NGA", "GHA", "SEN", "UGA", "TZA", "BGD", "NPL", "RWA", "MWI", "IND", "PHL"]
MID = ["ZMB", "ZWE", "MOZ", "SLE", "LBR", "BFA", "MLI", "NER", "CMR", "CIV", "BEN", "TGO", "MDG",
       "COD", "PAK", "LKA", "KHM", "IDN", "FJI", "SLB", "VNM", "EGY", "JOR", "COL", "SLV", "GTM",
       "HTI", "AFG"]
SINGLE = ["BTN", "LAO", "KGZ", "TON", "HND", "BOL", "MNG", "TJK", "LSO", "CPV", "PNG"]

DISPLAY_NAME = {
    "COD": "DR Congo", "PHL": "the Philippines", "EGY": "Egypt", "CIV": "Côte d'Ivoire", "LAO": "Lao PDR", "KGZ": "Kyrgyzstan",
}

SUPPORT_TYPES = ["technical_assistance", "training", "data_production", "tool_deployment", "peer_review",
                 "advocacy", "financing"]
ACTIVITY_TYPES = ["meeting", "knowledge_exchange", "peer_review", "tool_showcase", "training", "advocacy",
                  "guideline"]
COLLAB_KINDS = ["joint_product", "joint_programme", "data_sharing", "co_funding", "joint_advocacy",
                "peer_review_partnership"]
KNOWLEDGE_TYPES = ("knowledge_exchange", "peer_review", "tool_showcase", "training", "guideline")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def weekday_back(d: dt.date) -> dt.date:
    """Move a Saturday or Sunday back to the Friday before."""
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    return d


def rand_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, 28)
    return dt.date(year, month, day)


def weighted_choice(rng: random.Random, items: list, weights: list):
    return rng.choices(items, weights=weights, k=1)[0]


def weighted_sample(rng: random.Random, items: list, weights: list, k: int) -> list:
    """k distinct items, drawn without replacement in proportion to the weights."""
    items, weights = list(items), list(weights)
    out = []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights, k=1)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


def quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def write_csv(name: str, columns: list[str], rows: list[dict]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


# ---------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------
def main() -> None:
    rng = random.Random(SEED)

    wb = pd.read_csv(WB_FILE, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    wb = wb[wb["Income group"].isin(LMIC_GROUPS)]
    lmic = {code: (name, REGION_CODE[region], group)
            for name, code, region, group in zip(wb["Economy"], wb["Code"], wb["Region"], wb["Income group"])}
    countries = CORE + MID + SINGLE
    missing = [c for c in countries if c not in lmic]
    if missing:
        raise SystemExit(f"not low- or middle-income in the World Bank file: {missing}")

    def cname(iso3: str) -> str:
        return DISPLAY_NAME.get(iso3, lmic[iso3][0])

    partner_ids = [p["partner_id"] for p in PARTNERS]
    partner = {p["partner_id"]: p for p in PARTNERS}
    short = {pid: (partner[pid]["acronym"] or partner[pid]["name"]) for pid in partner_ids}
    tool = {t["tool_id"]: t for t in TOOLS}
    tools_of = {pid: [t["tool_id"] for t in TOOLS if pid in t["owners"].split(";")] for pid in partner_ids}

    members = {"gender": [], "lnob": []}
    joined = {"gender": {}, "lnob": {}}
    for p in PARTNERS:
        for c in p["collaboratives"].split(";"):
            members[c].append(p["partner_id"])
            joined[c][p["partner_id"]] = dt.date.fromisoformat(p[f"joined_{c}"])
    team_members = {"inclusive_data_charter": [], "citizen_generated_data": []}
    for p in PARTNERS:
        for t in filter(None, p["task_teams"].split(";")):
            team_members[t].append(p["partner_id"])

    def members_on(collab: str, d: dt.date, pool: list[str] | None = None) -> list[str]:
        pool = members[collab] if pool is None else pool
        return [pid for pid in pool if joined[collab].get(pid, dt.date.max) <= d]

    # ------------------------------------------------------------------ programmes
    def partner_weight(pid: str, iso3: str) -> float:
        region = lmic[iso3][1]
        return PARTNER_WEIGHT[pid] * REGION_AFFINITY.get(pid, {}).get(region, 1.0)

    country_partners: dict[str, list[str]] = {}
    for iso3 in countries:
        if iso3 in CORE:
            k = rng.choice([3, 4, 4, 5, 5])
        elif iso3 in MID:
            k = rng.choice([2, 2, 3])
        else:
            k = 1
        country_partners[iso3] = weighted_sample(rng, partner_ids, [partner_weight(p, iso3) for p in partner_ids], k)
    # EM2030's SDG Gender Index focus countries of its pilot (real) get EM2030 in the sample.
    for iso3 in ["KEN", "SEN", "IND", "IDN", "COL", "SLV"]:
        if "em2030" not in country_partners[iso3]:
            country_partners[iso3].append("em2030")
    # Equality Insights has worked in Fiji, Tonga and Solomon Islands (real); the sample keeps it there.
    for iso3 in ["FJI", "SLB"]:
        if "equality_insights" not in country_partners[iso3]:
            country_partners[iso3].append("equality_insights")
    country_partners["TON"] = ["equality_insights"]

    support_by_kind = {
        "index": ["tool_deployment", "training", "technical_assistance", "advocacy"],
        "platform": ["tool_deployment", "training", "technical_assistance", "data_production"],
        "methodology": ["technical_assistance", "data_production", "training", "tool_deployment"],
        "dataset": ["data_production", "technical_assistance", "financing", "training"],
        "guidance": ["technical_assistance", "training", "peer_review"],
        "standard": ["advocacy", "technical_assistance", "peer_review"],
        "training": ["training", "technical_assistance"],
    }
    note_templates = [
        "Support to the national statistical office on {phrase}",
        "Joint work with the national statistical office and the gender machinery",
        "Follows a request from the national statistical office",
        "Part of the national strategy for the development of statistics",
        "Coordinated with other partners in country",
        "Scoping mission completed",
    ]
    note_by_support = {
        "data_production": ["Includes sub-national pilot", "Linked to the next census round",
                            "Data collection delayed by the rainy season", "Fieldwork in two provinces"],
        "financing": ["Co-funded with a bilateral donor", "Small grant to the national statistical office"],
        "training": ["Training of trainers model", "Includes staff of line ministries"],
        "advocacy": ["With national civil society partners", "Around the national budget cycle"],
        "tool_deployment": ["Hosted on the national statistical office website", "Includes sub-national pilot"],
        "peer_review": ["Review of the national gender statistics programme"],
        "technical_assistance": ["Remote support with one in-country mission"],
    }

    programs = []
    for iso3 in countries:
        for pid in country_partners[iso3]:
            n = rng.choices([1, 2, 3], weights=[50, 35, 15], k=1)[0]
            for _ in range(n):
                tids = tools_of[pid]
                tid = rng.choice(tids) if tids else ""
                kind = tool[tid]["kind"] if tid else ""
                support = rng.choice(support_by_kind[kind] if tid else PARTNER_SUPPORT[pid])
                if pid in ("paris21", "devinit") and rng.random() < 0.25:
                    support = "financing"
                if tid:
                    topic = rng.choice(tool[tid]["topics"].split(";"))
                else:
                    topic = rng.choice(PARTNER_TOPICS[pid])
                # start dates: more in recent years, a few planned ones
                year = rng.choices([2021, 2022, 2023, 2024, 2025, 2026, 2027],
                                   weights=[4, 7, 12, 19, 26, 24, 8], k=1)[0]
                start = weekday_back(rand_date(rng, max(PROG_FIRST, dt.date(year, 1, 1)),
                                               min(dt.date(year, 12, 31), dt.date(2027, 9, 30))))
                months = rng.choice([6, 9, 12, 12, 18, 24, 24, 30, 36, 48])
                end = add_months(start, months) - dt.timedelta(days=rng.randint(0, 20))
                if end > PROG_LAST:  # long programmes end within the planning horizon
                    end = max(start, PROG_LAST - dt.timedelta(days=rng.randint(0, 150)))
                open_ended = rng.random() < 0.15 and start >= dt.date(2023, 1, 1)
                if open_ended:
                    end = None
                programs.append(dict(partner_id=pid, iso3=iso3, tool_id=tid, support_type=support,
                                     topic=topic, start=start, end=end))

    # Make sure there are at least 170 programmes (add follow-up phases in core countries).
    while len(programs) < 172:
        iso3 = rng.choice(CORE)
        pid = rng.choice(country_partners[iso3])
        start = weekday_back(rand_date(rng, dt.date(2024, 1, 1), dt.date(2026, 6, 30)))
        tid = rng.choice(tools_of[pid]) if tools_of[pid] else ""
        programs.append(dict(partner_id=pid, iso3=iso3, tool_id=tid,
                             support_type=rng.choice(PARTNER_SUPPORT[pid]),
                             topic=rng.choice(tool[tid]["topics"].split(";") if tid else PARTNER_TOPICS[pid]),
                             start=start, end=add_months(start, rng.choice([6, 12, 18]))))

    programs.sort(key=lambda r: (r["start"], r["iso3"], r["partner_id"]))

    # ~20 % of programmes without a tool: all of those by partners without tools, then a random share of others.
    target_blank = round(0.20 * len(programs))
    blank_now = sum(1 for r in programs if not r["tool_id"])
    candidates = [i for i, r in enumerate(programs) if r["tool_id"]]
    for i in sorted(rng.sample(candidates, max(0, target_blank - blank_now))):
        r = programs[i]
        r["tool_id"] = ""
        r["topic"] = rng.choice(PARTNER_TOPICS[r["partner_id"]])
        r["support_type"] = rng.choice(PARTNER_SUPPORT[r["partner_id"]])

    program_rows = []
    for n, r in enumerate(programs, 1):
        start, end = r["start"], r["end"]
        if start > TODAY:
            status = "planned"
        elif end is not None and end < TODAY:
            status = "completed"
        else:
            status = "paused" if rng.random() < 0.08 else "active"
        note = ""
        if rng.random() < 0.5:
            note = rng.choice(note_templates + note_by_support[r["support_type"]]).format(
                phrase=TOPIC_PHRASE[r["topic"]])
        program_rows.append(dict(program_id=f"P{n:04d}", partner_id=r["partner_id"], iso3=r["iso3"],
                                 tool_id=r["tool_id"], support_type=r["support_type"], topic=r["topic"],
                                 start_date=iso(start), end_date=iso(end), status=status, notes=note))

    # partners present in each country (any time) — used to place activities in countries
    prog_countries_of = {pid: sorted({r["iso3"] for r in programs if r["partner_id"] == pid})
                         for pid in partner_ids}

    def countries_for(pids: list[str], k: int) -> list[str]:
        if k <= 0:
            return []
        shared = sorted(set.intersection(*[set(prog_countries_of[p]) for p in pids])) if pids else []
        pool = shared if len(shared) >= k else sorted({c for p in pids for c in prog_countries_of[p]})
        if len(pool) < k:
            pool = sorted(set(pool) | set(CORE))
        return rng.sample(pool, k)

    # ------------------------------------------------------------------ activities
    acts = []  # dicts with date objects; ids assigned after sorting

    def add_act(title, typ, collab, start, end, pids, isos, tid, outcome):
        assert pids, title
        acts.append(dict(title=title, type=typ, collaborative=collab, start=start, end=end,
                         partners=list(dict.fromkeys(pids)), countries=list(dict.fromkeys(isos)),
                         tool_id=tid, outcome=outcome))

    meeting_outcomes = [
        "Agreed joint TA plan for {c}", "Agreed workplan for the next six months",
        "Follow-up: shared survey module", "Agreed to pool country support in {c}",
        "Follow-up: joint advocacy messages for {event}", "Agreed co-ordination note on technical support",
        "Follow-up: map of partner support by country", "Agreed peer-review pairs for the next round",
        "Follow-up: shared list of focal points", "",
    ]

    # Gender collaborative plenaries, about every six months.
    gender_dates = [dt.date(2024, 3, 12), dt.date(2024, 9, 24), dt.date(2025, 3, 18), dt.date(2025, 10, 7),
                    dt.date(2026, 4, 14), dt.date(2026, 10, 20)]
    for d in gender_dates:
        d = weekday_back(d + dt.timedelta(days=rng.randint(-9, 9)))
        pool = members_on("gender", d)
        attend = sorted(rng.sample(pool, len(pool) - rng.choice([0, 0, 1, 1, 2])), key=partner_ids.index)
        half = "H1" if d.month <= 6 else "H2"
        c = rng.choice(CORE)
        outcome = rng.choice(meeting_outcomes).format(c=cname(c), event="the CSW" if d.month >= 9 else "the HLPF")
        end = d + dt.timedelta(days=1) if rng.random() < 0.6 else None
        add_act(f"Gender data collaborative — plenary meeting ({half} {d.year})", "meeting", "gender", d, end,
                attend, [], "", outcome)

    # LNOB collaborative meetings, every 2-3 months.
    d = dt.date(2024, 1, 23)
    while d <= ACT_LAST:
        dd = weekday_back(d)
        pool = members_on("lnob", dd)
        drop = rng.choice([0, 1, 1, 2, 3])
        attend = sorted(rng.sample(pool, max(2, len(pool) - drop)), key=partner_ids.index)
        event = "the HLPF" if 3 <= dd.month <= 6 else "the UN Statistical Commission"
        outcome = rng.choice(meeting_outcomes).format(c=cname(rng.choice(CORE)), event=event)
        add_act(f"LNOB collaborative meeting — {dd.strftime('%B %Y')}", "meeting", "lnob", dd, None,
                attend, [], "", outcome)
        d = d + dt.timedelta(days=rng.randint(61, 91))

    # Task-team meetings of the LNOB collaborative.
    team_titles = {"inclusive_data_charter": "Inclusive Data Charter task team meeting",
                   "citizen_generated_data": "Citizen-generated data task team meeting"}
    team_outcomes = {
        "inclusive_data_charter": ["Follow-up: review of champion action plans",
                                   "Agreed template for inclusive data action plans",
                                   "Follow-up: disability data disaggregation note", ""],
        "citizen_generated_data": ["Follow-up: citizen data quality checklist",
                                   "Agreed pilot countries for citizen data integration",
                                   "Follow-up: case studies for the Copenhagen Framework", ""],
    }
    for team, first in (("inclusive_data_charter", dt.date(2024, 2, 20)),
                        ("citizen_generated_data", dt.date(2024, 4, 9))):
        d = first
        while d <= ACT_LAST:
            dd = weekday_back(d)
            pool = members_on("lnob", dd, team_members[team])
            attend = sorted(rng.sample(pool, max(2, len(pool) - rng.choice([0, 0, 1]))), key=partner_ids.index)
            add_act(f"{team_titles[team]} — {dd.strftime('%B %Y')}", "meeting", "lnob", dd, None, attend,
                    [], "", rng.choice(team_outcomes[team]))
            d = d + dt.timedelta(days=rng.randint(90, 130))

    # Other activities: a quarterly volume that grows over time, with quieter quarters.
    per_quarter = {
        (2024, 1): 7, (2024, 2): 8, (2024, 3): 5, (2024, 4): 9,
        (2025, 1): 10, (2025, 2): 11, (2025, 3): 6, (2025, 4): 12,
        (2026, 1): 12, (2026, 2): 14, (2026, 3): 11, (2026, 4): 8,
    }
    type_weights = {"knowledge_exchange": 27, "peer_review": 13, "tool_showcase": 13, "training": 21,
                    "advocacy": 14, "guideline": 10}
    ke_titles = [
        "Knowledge exchange: {topic} — lessons from {c}",
        "Webinar: {topic} in national statistical systems",
        "Knowledge exchange: {a} and {b} on {topic}",
        "Learning session: using {tool} in country programmes",
        "Brown-bag: what works in {topic}",
    ]
    guideline_titles = [
        "Guideline drafting: good practice note on {topic}",
        "Guidance note on {topic} for national statistical offices",
        "Drafting session: {tool} implementation guide",
    ]
    outcomes_by_type = {
        "knowledge_exchange": ["Follow-up: shared survey module", "Follow-up: exchange of questionnaires",
                               "Agreed joint TA plan for {c}", "Follow-up: shared contact list of country focal points",
                               "Agreed to document the {c} experience as a case study"],
        "peer_review": ["Review comments shared; revision planned", "Methodology note revised after review",
                        "Agreed second review round", "Follow-up: joint technical note"],
        "tool_showcase": ["Two partners to pilot the tool in {c}", "Follow-up: demo for country teams",
                          "Agreed data exchange between tools", "Interest from {c} national statistical office"],
        "training": ["{n} NSO staff trained", "Follow-up: mentoring for trainees in {c}",
                     "Training materials shared with partners", "Agreed refresher course next year"],
        "advocacy": ["Joint statement issued", "Commitments announced by two governments",
                     "Follow-up: policy brief", "Side event co-hosted with national statistical offices"],
        "guideline": ["Draft circulated for comment", "Guideline published", "Agreed outline and lead authors",
                      "Follow-up: translation into French and Spanish"],
    }
    # advocacy moments: UN Statistical Commission (Feb/Mar), CSW (Mar), HLPF (Jul), UNGA (Sep),
    # UN World Data Forum 2024 (Medellin, November 2024).
    advocacy_events = {
        2024: [(dt.date(2024, 2, 27), "UN Statistical Commission (55th session)"),
               (dt.date(2024, 3, 13), "Commission on the Status of Women (CSW68)"),
               (dt.date(2024, 7, 10), "High-level Political Forum 2024"),
               (dt.date(2024, 9, 23), "UN General Assembly week"),
               (dt.date(2024, 11, 13), "UN World Data Forum 2024")],
        2025: [(dt.date(2025, 3, 4), "UN Statistical Commission (56th session)"),
               (dt.date(2025, 3, 12), "Commission on the Status of Women (CSW69)"),
               (dt.date(2025, 7, 16), "High-level Political Forum 2025"),
               (dt.date(2025, 9, 23), "UN General Assembly week")],
        2026: [(dt.date(2026, 3, 3), "UN Statistical Commission (57th session)"),
               (dt.date(2026, 3, 11), "Commission on the Status of Women (CSW70)"),
               (dt.date(2026, 7, 14), "High-level Political Forum 2026"),
               (dt.date(2026, 9, 22), "UN General Assembly week")],
    }
    advocacy_themes = ["financing gender data", "inclusive and disaggregated data", "citizen data",
                       "gender data for policy", "data on persons with disabilities", "counting unpaid care work"]

    def collab_for(pids: list[str], d: dt.date) -> str:
        in_g = all(joined["gender"].get(p, dt.date.max) <= d for p in pids)
        in_l = all(joined["lnob"].get(p, dt.date.max) <= d for p in pids)
        if in_g and in_l:
            return rng.choice(["gender", "lnob"])
        if in_g:
            return "gender"
        if in_l:
            return "lnob"
        return ""

    def pick_partners(d: dt.date, k: int, must: list[str] | None = None) -> list[str]:
        must = list(must or [])
        # pick within one collaborative most of the time, so that collaborative labels stay consistent
        r = rng.random()
        if r < 0.45:
            pool = members_on("gender", d)
        elif r < 0.9:
            pool = members_on("lnob", d)
        else:
            pool = partner_ids
        pool = [p for p in pool if p not in must]
        extra = weighted_sample(rng, pool, [PARTNER_WEIGHT[p] for p in pool], max(0, k - len(must)))
        return must + extra

    tool_ids = [t["tool_id"] for t in TOOLS]
    # reports and financing data are not something national statistical office staff are trained on
    trainable = [t for t in tool_ids if t not in ("press", "state_of_gender_data_financing")]
    # peer reviews and showcases go round the tools, so that each is reviewed or shown before any repeats
    decks: dict[str, list[str]] = {"peer_review": [], "tool_showcase": []}

    def next_tool(deck: str) -> str:
        if not decks[deck]:
            decks[deck] = list(tool_ids)
            rng.shuffle(decks[deck])
        return decks[deck].pop()
    for (year, q), n in per_quarter.items():
        q_start, q_end = quarter_bounds(year, q)
        q_end = min(q_end, ACT_LAST)
        # every quarter has at least one peer review, showcase, training and exchange, and an advocacy
        # event when a global moment (UNSC, CSW, HLPF, UNGA, UN World Data Forum) falls in it
        fixed = ["peer_review", "tool_showcase", "training", "knowledge_exchange"]
        if any(q_start <= ed <= q_end for ed, _ in advocacy_events[year]):
            fixed.append("advocacy")
        types = fixed[:n] + [weighted_choice(rng, list(type_weights), list(type_weights.values()))
                             for _ in range(n - len(fixed))]
        for typ in types:
            d = rand_date(rng, q_start, q_end)
            if (d.month, d.day) >= (12, 20):
                d = d.replace(day=rng.randint(8, 19))  # nobody meets over the holidays
            d = weekday_back(d)
            if d < q_start:
                d = q_start + dt.timedelta(days=2)
            end = None
            tid = ""
            isos: list[str] = []
            if typ == "peer_review":
                tid = next_tool("peer_review")
                owners = tool[tid]["owners"].split(";")
                owner = rng.choice(owners)
                reviewers = [p for p in partner_ids if p not in owners]
                rev = weighted_choice(rng, reviewers, [PARTNER_WEIGHT[p] for p in reviewers])
                pids = [owner, rev]
                what = " methodology" if tool[tid]["kind"] in ("methodology", "index", "standard") else ""
                title = f"Peer review: {tool[tid]['name']}{what} ({short[owner]} → {short[rev]})"
                end = d + dt.timedelta(days=rng.choice([14, 21, 30])) if rng.random() < 0.4 else None
            elif typ == "tool_showcase":
                tid = next_tool("tool_showcase")
                owners = tool[tid]["owners"].split(";")
                pids = pick_partners(d, rng.randint(2, 4), must=owners)
                title = rng.choice(["Tool showcase: {t}", "Tool showcase: what's new in {t}",
                                    "Demo: {t} for partner country teams"]).format(t=tool[tid]["name"])
                isos = countries_for(owners, rng.choice([0, 0, 1]))
            elif typ == "training":
                pids = pick_partners(d, rng.randint(1, 2))
                owned = [t for p in pids for t in tools_of[p] if t in trainable]
                if owned and rng.random() < 0.7:
                    tid = rng.choice(owned)
                isos = countries_for(pids[:1], rng.choice([1, 1, 2, 3]))
                subject = tool[tid]["name"] if tid else TOPIC_PHRASE[rng.choice(PARTNER_TOPICS[pids[0]])]
                names = ", ".join(cname(c) for c in isos)
                title = f"Training on {subject} for national statistical office staff ({names})"
                end = d + dt.timedelta(days=rng.randint(1, 4))
            elif typ == "advocacy":
                cands = [(ed, ev) for ed, ev in advocacy_events[year] if q_start <= ed <= q_end]
                if cands:
                    ed, ev = rng.choice(cands)
                    d = weekday_back(ed + dt.timedelta(days=rng.randint(0, 3)))
                    theme = rng.choice(advocacy_themes)
                    title = f"Side event at the {ev}: {theme}"
                else:
                    theme = rng.choice(advocacy_themes)
                    title = f"Advocacy briefing for donors: {theme}"
                pids = pick_partners(d, rng.randint(2, 4))
                isos = countries_for(pids[:1], rng.choice([0, 0, 1, 2]))
            elif typ == "guideline":
                pids = pick_partners(d, rng.randint(2, 4))
                owned = [t for p in pids for t in tools_of[p]]
                tpl = rng.choice(guideline_titles)
                if "{tool}" in tpl and not owned:
                    tpl = guideline_titles[0]
                if "{tool}" in tpl:
                    tid = rng.choice(owned)
                topic = TOPIC_PHRASE[rng.choice(PARTNER_TOPICS[pids[0]])]
                title = tpl.format(topic=topic, tool=tool[tid]["name"] if tid else "")
                end = d + dt.timedelta(days=rng.choice([30, 45, 60, 90])) if rng.random() < 0.5 else None
            else:  # knowledge_exchange
                pids = pick_partners(d, rng.randint(2, 4))
                owned = [t for p in pids for t in tools_of[p]]
                tpl = rng.choice(ke_titles)
                if "{tool}" in tpl and not owned:
                    tpl = ke_titles[0]
                if "{tool}" in tpl:
                    tid = rng.choice(owned)
                isos = countries_for(pids, rng.choice([0, 1, 1, 2]))
                topic = TOPIC_PHRASE[rng.choice(PARTNER_TOPICS[pids[0]])]
                c_for_title = cname(isos[0]) if isos else cname(rng.choice(CORE))
                if "{c}" in tpl and not isos:
                    isos = [c for c in CORE if cname(c) == c_for_title]
                title = tpl.format(topic=topic, c=c_for_title, a=short[pids[0]], b=short[pids[1]],
                                   tool=tool[tid]["name"] if tid else "")
            if end is not None and end > ACT_LAST:
                end = ACT_LAST if ACT_LAST >= d else None
            collab = collab_for(pids, d)
            if rng.random() < 0.12:
                collab = ""  # some activities happen outside both collaboratives
            outcome = ""
            if rng.random() < 0.5:
                c = isos[0] if isos else rng.choice(CORE)
                outcome = rng.choice(outcomes_by_type[typ]).format(c=cname(c), n=rng.randint(12, 45))
            add_act(title, typ, collab, d, end, pids, isos, tid, outcome)

    acts.sort(key=lambda a: (a["start"], ACTIVITY_TYPES.index(a["type"]), a["title"]))
    activity_rows = []
    for n, a in enumerate(acts, 1):
        a["activity_id"] = f"A{n:04d}"
        activity_rows.append(dict(activity_id=a["activity_id"], title=a["title"], type=a["type"],
                                  collaborative=a["collaborative"], start_date=iso(a["start"]),
                                  end_date=iso(a["end"]), partners=";".join(a["partners"]),
                                  countries=";".join(a["countries"]), tool_id=a["tool_id"],
                                  outcome=a["outcome"],
                                  task_team=next((k for k, v in team_titles.items() if a["title"].startswith(v)), "")))

    # ------------------------------------------------------------------ collaborations
    kind_by_type = {
        "meeting": ["joint_programme", "co_funding", "data_sharing"],
        "knowledge_exchange": ["data_sharing", "joint_product", "joint_programme"],
        "peer_review": ["peer_review_partnership"],
        "tool_showcase": ["joint_product", "data_sharing"],
        "training": ["joint_programme", "co_funding"],
        "advocacy": ["joint_advocacy"],
        "guideline": ["joint_product"],
    }
    collab_titles = {
        "joint_product": ["Joint guidance on {topic}", "Co-developed module on {topic}",
                          "Joint country brief series on {topic}"],
        "joint_programme": ["Joint technical support to {c}", "Coordinated gender data support in {c}",
                            "Joint programme on {topic} in {c}"],
        "data_sharing": ["Data-sharing agreement: {topic}", "Shared country datasets: {topic}",
                         "Exchange of microdata access practices"],
        "co_funding": ["Co-funded survey round in {c}", "Pooled funding for {topic} in {c}"],
        "joint_advocacy": ["Joint advocacy on {topic}", "Joint call for investment in {topic}"],
        "peer_review_partnership": ["Standing peer-review arrangement for {tool}",
                                    "Reciprocal methodology review: {tool}"],
    }
    collab_desc = {
        "joint_product": "Partners co-develop and co-publish a product.",
        "joint_programme": "Partners align their technical support under one plan.",
        "data_sharing": "Partners share data and metadata under an agreed arrangement.",
        "co_funding": "Partners pool funds for a shared piece of work.",
        "joint_advocacy": "Partners speak with one voice in global and national fora.",
        "peer_review_partnership": "Partners review each other's methods on a regular basis.",
    }
    collab_rows = []
    multi = [a for a in acts if len(a["partners"]) >= 2 and a["start"] <= dt.date(2026, 9, 30)]
    # later activities weigh a little more so new collaborations grow over time
    weights = [1.0 + (a["start"] - ACT_FIRST).days / 365 for a in multi]
    origins = []
    for a in weighted_sample(rng, multi, weights, 27):
        origins.append(a)
    origins.sort(key=lambda a: a["activity_id"])
    plan = [("origin", a) for a in origins] + [("none", None)] * 7
    rng.shuffle(plan)
    records = []
    for _kind_src, a in plan:
        if a is not None:
            kind = rng.choice(kind_by_type[a["type"]])
            k = min(len(a["partners"]), rng.choice([2, 2, 3, 3, 4]))
            pids = rng.sample(a["partners"], k)
            if kind == "peer_review_partnership":
                pids = list(a["partners"])
            start = weekday_back(min(a["start"] + dt.timedelta(days=rng.randint(7, 120)), ACT_LAST))
            if start < a["start"]:
                start = a["start"]
            tid = a["tool_id"]
            isos = a["countries"]
            origin = a["activity_id"]
        else:
            kind = rng.choice(COLLAB_KINDS[:5])
            collab = rng.choice(["gender", "lnob"])
            start = weekday_back(rand_date(rng, ACT_FIRST, ACT_LAST))
            pool = members_on(collab, start)
            pids = weighted_sample(rng, pool, [PARTNER_WEIGHT[p] for p in pool], rng.choice([2, 2, 3]))
            owned = [t for p in pids for t in tools_of[p]]
            tid = rng.choice(owned) if owned else ""
            isos = countries_for(pids, 1)
            origin = ""
        pids = sorted(pids, key=partner_ids.index)
        topic = rng.choice(tool[tid]["topics"].split(";")) if tid else rng.choice(PARTNER_TOPICS[pids[0]])
        tpl = rng.choice(collab_titles[kind])
        if "{tool}" in tpl and not tid:
            kind = "joint_product"
            tpl = collab_titles[kind][0]
        c = isos[0] if isos else rng.choice(sorted(set(prog_countries_of[pids[0]]) or set(CORE)))
        title = tpl.format(topic=TOPIC_PHRASE[topic], c=cname(c), tool=tool[tid]["name"] if tid else "")
        desc = collab_desc[kind]
        if origin:
            desc += f" Grew out of: {a['title']}."
        records.append(dict(title=title, kind=kind, start=start, origin=origin, partners=pids, desc=desc))
    records.sort(key=lambda r: (r["start"], r["title"]))
    for n, r in enumerate(records, 1):
        collab_rows.append(dict(collaboration_id=f"C{n:03d}", title=r["title"], kind=r["kind"],
                                started_date=iso(r["start"]), origin_activity_id=r["origin"],
                                partners=";".join(r["partners"]), description=r["desc"]))

    # ------------------------------------------------------------------ reporting lapses
    # In a real collaborative not every partner reports every quarter. These partners stopped
    # reporting after a date: what they did later is not in the records (activities they alone
    # ran, programmes they started), joint records list the partners who did report, and a
    # programme that ended later still reads as it was last reported. Against the sample's
    # as-of date and a quarterly cycle this gives one partner "due" and two "overdue".
    # An activity about a lapsed partner (a peer review of its work) is not recorded either.
    lapses = {"dihr": dt.date(2026, 8, 10), "sightsavers": dt.date(2026, 7, 10), "civicus": dt.date(2026, 6, 19)}
    names = {p["partner_id"]: [n for n in (p["name"], p["acronym"]) if n] for p in PARTNERS}
    dropped_acts = set()
    for a in acts:
        for p, cut in lapses.items():
            if p in a["partners"] and a["start"] > cut:
                if len(a["partners"]) == 1 or any(n in a["title"] for n in names[p]):  # theirs: not reported
                    dropped_acts.add(a["activity_id"])
                else:
                    a["partners"].remove(p)
    acts[:] = [a for a in acts if a["activity_id"] not in dropped_acts]
    activity_rows = [dict(r, partners=";".join(a["partners"]))
                     for r, a in zip([r for r in activity_rows if r["activity_id"] not in dropped_acts], acts)]
    for r, c in zip(records, collab_rows):
        for p, cut in lapses.items():
            if p in r["partners"] and r["start"] > cut and len(r["partners"]) > 2:
                r["partners"].remove(p)
        c["partners"] = ";".join(r["partners"])
        if c["origin_activity_id"] in dropped_acts:
            c["origin_activity_id"] = ""
    records[:] = [r for r in records if not any(p in r["partners"] and r["start"] > cut for p, cut in lapses.items())]
    collab_rows[:] = [c for c in collab_rows
                      if not any(p in c["partners"].split(";") and dt.date.fromisoformat(c["started_date"]) > cut
                                 for p, cut in lapses.items())]
    keep = [not (r["partner_id"] in lapses and lapses[r["partner_id"]] < r["start"] <= TODAY) for r in programs]
    programs[:] = [r for r, k in zip(programs, keep) if k]
    program_rows[:] = [r for r, k in zip(program_rows, keep) if k]
    for r in program_rows:
        cut = lapses.get(r["partner_id"])
        if cut and r["status"] == "completed" and cut < dt.date.fromisoformat(r["end_date"]) <= TODAY:
            r["status"] = "active"

    # ------------------------------------------------------------------ KPI targets
    periods = []
    for year in (2024, 2025, 2026):
        for q in (1, 2, 3, 4):
            s, e = quarter_bounds(year, q)
            periods.append(("quarter", s, e))
        periods.append(("year", dt.date(year, 1, 1), dt.date(year, 12, 31)))

    def overlaps(s1, e1, s2, e2):
        return s1 <= e2 and (e1 is None or e1 >= s2)

    # a partner pair's first joint activity ever: a "first-time pair" in that period
    first_pair: dict[tuple, dt.date] = {}
    for a in sorted(acts, key=lambda a: a["start"]):
        for i, p in enumerate(sorted(a["partners"])):
            for q in sorted(a["partners"])[i + 1:]:
                first_pair.setdefault((p, q), a["start"])

    def actual(kpi: str, s: dt.date, e: dt.date) -> float:
        in_p = [a for a in acts if s <= a["start"] <= e]
        progs = [r for r in programs if overlaps(r["start"], r["end"], s, e) and r["start"] <= TODAY]
        # the same definitions as the dashboard's KPIs (collab_data/metrics.py)
        if kpi == "partners_involved":
            return len({p for a in in_p for p in a["partners"]} | {r["partner_id"] for r in progs})
        if kpi == "knowledge_sharing":
            return sum(1 for a in in_p if a["type"] in ("knowledge_exchange", "peer_review", "tool_showcase"))
        if kpi == "new_collaborations":  # recorded collaborations + first-time partner pairs
            return sum(1 for r in records if s <= r["start"] <= e) + sum(1 for d in first_pair.values() if s <= d <= e)
        if kpi == "countries_active":
            return len({r["iso3"] for r in progs})
        if kpi == "countries_coordinated":
            by_c: dict[str, set] = {}
            for r in progs:
                by_c.setdefault(r["iso3"], set()).add(r["partner_id"])
            return sum(1 for v in by_c.values() if len(v) >= 2)
        if kpi == "tools_in_use":
            return len({r["tool_id"] for r in progs if r["tool_id"]}
                       | {a["tool_id"] for a in in_p if a["tool_id"]})
        if kpi == "peer_reviews":
            return sum(1 for a in in_p if a["type"] == "peer_review")
        if kpi == "tools_showcased":
            return len({a["tool_id"] for a in in_p if a["type"] == "tool_showcase"})
        if kpi == "meetings_held":
            return sum(1 for a in in_p if a["type"] == "meeting")
        raise KeyError(kpi)

    kpis = ["partners_involved", "knowledge_sharing", "new_collaborations", "countries_active",
            "countries_coordinated", "tools_in_use", "peer_reviews", "tools_showcased", "meetings_held"]
    kpi_rows = []
    for kpi in kpis:
        # quarterly targets follow a smooth linear trend of the (complete) quarters, rounded up a little,
        # so that some quarters meet the target and others do not
        qs = [(s, e) for t, s, e in periods if t == "quarter"]
        xs = list(range(len(qs)))
        ys = [actual(kpi, s, e) for s, e in qs]
        fit_x, fit_y = xs[:-1], ys[:-1]  # the last quarter is still running on the as-of date
        if kpi == "new_collaborations":
            # every partner pair is "first-time" in the first quarters of the records: leave them out of the trend
            fit_x, fit_y = xs[2:-1], ys[2:-1]
        mx, my = sum(fit_x) / len(fit_x), sum(fit_y) / len(fit_y)
        slope = sum((x - mx) * (y - my) for x, y in zip(fit_x, fit_y)) / sum((x - mx) ** 2 for x in fit_x)
        q_target = {qs[i][0]: max(1, round((my + slope * (i - mx)) * rng.uniform(0.92, 1.08)))
                    for i in xs}
        if kpi == "new_collaborations":
            # first-time pairs thin out as partners get to know each other: a flat target at the typical level
            level = sorted(fit_y)[len(fit_y) // 2]
            q_target = {qs[i][0]: max(1, round(level * rng.uniform(0.9, 1.1))) for i in xs}
        for t, s, e in periods:
            if t == "quarter":
                target = q_target[s]
            else:
                a = actual(kpi, s, e)
                if kpi in ("knowledge_sharing", "new_collaborations", "peer_reviews", "meetings_held"):
                    target = sum(v for k, v in q_target.items() if k.year == s.year)
                else:
                    target = max(1, round(a * rng.uniform(0.88, 1.1)))
            cap = {"partners_involved": len(PARTNERS), "tools_in_use": len(TOOLS),
                   "tools_showcased": len(TOOLS), "countries_active": len(countries),
                   "countries_coordinated": len(countries)}.get(kpi)
            if cap is not None:
                target = min(target, cap)
            kpi_rows.append(dict(kpi_id=kpi, period_type=t, period_start=iso(s), target=int(target)))

    # "Partners reporting on time": the collaboratives aim at four in five of their members
    # (those who had joined by the period's end) reporting on time.
    for t, s, e in periods:
        n_members = len({p for c in joined for p, d in joined[c].items() if d <= e})
        kpi_rows.append(dict(kpi_id="partners_on_time", period_type=t, period_start=iso(s),
                             target=max(1, math.ceil(0.8 * n_members))))

    # ------------------------------------------------------------------ sanity checks
    assert all(r["support_type"] in SUPPORT_TYPES and r["topic"] in TOPICS for r in program_rows)
    assert all(r["type"] in ACTIVITY_TYPES for r in activity_rows)
    assert all(r["kind"] in COLLAB_KINDS for r in collab_rows)
    assert all(set(filter(None, t["topics"].split(";"))) <= set(TOPICS) for t in TOOLS)

    # ------------------------------------------------------------------ write
    write_csv("partners.csv", PARTNER_COLUMNS, PARTNERS)
    write_csv("tools.csv", TOOL_COLUMNS, TOOLS)
    write_csv("country_programs.csv", ["program_id", "partner_id", "iso3", "tool_id", "support_type", "topic",
                                       "start_date", "end_date", "status", "notes"], program_rows)
    write_csv("activities.csv", ["activity_id", "title", "type", "collaborative", "start_date", "end_date",
                                 "partners", "countries", "tool_id", "outcome", "task_team"], activity_rows)
    write_csv("collaborations.csv", ["collaboration_id", "title", "kind", "started_date", "origin_activity_id",
                                     "partners", "description"], collab_rows)
    write_csv("kpi_targets.csv", ["kpi_id", "period_type", "period_start", "target"], kpi_rows)
    print(f"partners {len(PARTNERS)}, tools {len(TOOLS)}, programmes {len(program_rows)}, "
          f"activities {len(activity_rows)}, collaborations {len(collab_rows)}, kpi targets {len(kpi_rows)}")


if __name__ == "__main__":
    main()

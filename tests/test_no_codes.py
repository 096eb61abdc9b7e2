"""No cell, metric, text or chart label a person reads shows None, nan, NaT or an internal code.

Every page in pages/ is run once (AppTest, as a visitor, on the sample database), and what it
shows is collected: every dataframe and table cell (and column header), metric labels and
values, markdown, captions and notices, and the data labels of the charts (the fields a
chart encodes). None of it may read ``None``, ``nan``, ``NaN``, ``NaT`` or ``<NA>``, a
partner or tool id (``unwomen``), a list of ISO3 codes (``CIV; SEN``) or a snake_case value
of the database (``knowledge_exchange``). The internal codes are read from the database's id
columns and enum values, so a new code is checked without changing this test.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "pages").glob("*.py"))

#: What a missing value must never read as.
MISSING_WORDS = {"None", "none", "nan", "NaN", "NaT", "<NA>", "null"}


#: Columns holding codes, by table (besides every ``*_id`` column).
ENUM_COLUMNS = {"tools": ("kind", "stage"), "country_programs": ("support_type", "status"),
                "indicator_values": ("status",), "collaborations": ("kind",), "partners": ("org_type",)}


@cache
def codes(db_path: str) -> tuple[frozenset, frozenset, frozenset]:
    """(codes a cell must not equal, codes free text must not contain, ISO3 codes)."""
    from collab_data.db import get_database

    db = get_database(Path(db_path))  # the process's one handle on the file (the app's too)
    cols = db.rows("SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'")
    found: set[str] = set()
    for table, col in cols:
        if (col.endswith("_id") and col not in ("iati_org_id", "external_id", "series_id")) \
                or col in ENUM_COLUMNS.get(table, ()):
            found |= {v for (v,) in db.rows(f'SELECT DISTINCT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL')}
    labels = set()
    for table, col in cols:
        if col in ("name", "label", "acronym"):
            labels |= {v for (v,) in db.rows(f'SELECT DISTINCT "{col}" FROM "{table}"') if v}
    iso3 = frozenset(v for (v,) in db.rows("SELECT iso3 FROM countries"))
    partners = {v for (v,) in db.rows("SELECT partner_id FROM partners")}
    found = {c for c in found - labels - iso3 if isinstance(c, str) and len(c) >= 3 and not c.isdigit()
             and not c.startswith(("U", "A0", "P0", "C0"))}  # record ids of uploads and the sample (not shown)
    # in a cell: a code with an underscore or a digit, or a partner/tool id (plain words such as
    # "training" or "active" read as words); in running text: snake_case codes and partner ids
    cell = frozenset(c for c in found if "_" in c or any(ch.isdigit() for ch in c) or c in partners
                     or c == c.lower() and c.isalpha() and c not in _WORDS)
    text = frozenset(c for c in found if "_" in c or c in partners)
    return cell, text, iso3


#: Codes that are also ordinary English words: a cell reading one of them reads as a word.
_WORDS = {"training", "advocacy", "meeting", "guideline", "index", "methodology", "dataset", "platform", "guidance",
          "standard", "mature", "scaling", "pilot", "financing", "completed", "active", "paused", "planned", "value",
          "ngo", "multilateral", "network", "government", "gender", "sex", "age", "disability", "location", "income",
          "ethnicity", "education", "bridge", "press", "adapt"}

_ISO_LIST = re.compile(r"\b[A-Z]{3}(?:\s*[;,]\s*[A-Z]{3})+\b")
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|`[^`]*`")


def _problems_in_text(where: str, text: str, text_codes, iso3) -> list[str]:
    out = []
    plain = _LINK.sub(" ", str(text))
    for word in MISSING_WORDS - {"none", "null"}:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", plain):
            out.append(f"{where}: reads {word!r}: {text[:120]!r}")
    for m in _ISO_LIST.finditer(plain):
        if all(t in iso3 for t in re.split(r"\s*[;,]\s*", m.group(0))):
            out.append(f"{where}: ISO3 codes {m.group(0)!r}: {text[:120]!r}")
    for word in set(re.findall(r"[a-z][a-z0-9_]*[a-z0-9]", plain)) & text_codes:
        out.append(f"{where}: internal code {word!r}: {text[:120]!r}")
    return out


def _problems_in_cell(where: str, value, cell_codes, iso3) -> list[str]:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return [f"{where}: an empty cell reads None"]
    if not isinstance(value, str):
        return []
    v = value.strip()
    if v in MISSING_WORDS:
        return [f"{where}: reads {v!r}"]
    parts = [p.strip() for p in re.split(r"[;,]", v) if p.strip()]
    if parts and all(p in cell_codes for p in parts):
        return [f"{where}: internal code {v!r}"]
    if len(parts) > 1 and all(p in iso3 for p in parts):
        return [f"{where}: ISO3 codes {v!r}"]
    return []


def _frame_problems(where: str, frame: pd.DataFrame, cell_codes, text_codes, iso3, *,
                    placeholder: str = "") -> list[str]:
    """``placeholder``: what the table shows for a null (``st.dataframe(placeholder=...)``); when it is a
    word a person reads ("—"), a null cell is not a problem, whatever the column's type."""
    out = []
    nulls_read_well = bool(placeholder.strip()) and placeholder.strip() not in MISSING_WORDS
    for col in frame.columns:
        out += _problems_in_text(f"{where} header", str(col), text_codes, iso3)
        series = frame[col]
        # st.dataframe draws a null of any type (text, number, date) as "None" unless a placeholder says
        # otherwise; checked in Chromium on the Activities log's "End" column
        for i, value in enumerate(series.tolist()):
            if nulls_read_well and (value is None or value is pd.NaT or value is pd.NA
                                  or (isinstance(value, float) and pd.isna(value))):
                continue
            if value is pd.NA:
                value = None
            out += _problems_in_cell(f"{where} [{col!r}, row {i}]", value, cell_codes, iso3)
    return out


def _encoded_fields(spec) -> set[str]:
    """The fields a Vega-Lite spec shows (x, y, colour, text, tooltip ...), through layers and concats."""
    fields: set[str] = set()
    if isinstance(spec, dict):
        enc = spec.get("encoding")
        if isinstance(enc, dict):
            for channel, e in enc.items():
                for item in (e if isinstance(e, list) else [e]):
                    if isinstance(item, dict) and isinstance(item.get("field"), str) and channel not in ("key", "detail"):
                        fields.add(item["field"])
        for v in spec.values():
            if isinstance(v, (dict, list)):
                fields |= _encoded_fields(v)
    elif isinstance(spec, list):
        for v in spec:
            fields |= _encoded_fields(v)
    return fields


def _chart_problems(where: str, proto, cell_codes, text_codes, iso3) -> list[str]:
    try:
        spec = json.loads(proto.spec)
    except (AttributeError, ValueError):
        return []
    fields = _encoded_fields(spec)
    out = []
    datasets = list((spec.get("datasets") or {}).values())
    if isinstance(spec.get("data"), dict) and isinstance(spec["data"].get("values"), list):
        datasets.append(spec["data"]["values"])
    frames = [pd.DataFrame(d) for d in datasets if isinstance(d, list)]
    try:
        from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df as to_df

        for ds in getattr(proto, "datasets", []):
            frames.append(to_df(ds.data.data))
        if getattr(proto, "data", None) is not None and proto.data.data:
            frames.append(to_df(proto.data.data))
    except ImportError:  # pragma: no cover - other Streamlit versions
        pass
    for frame in frames:
        shown = [f for f in fields if f in frame.columns]
        for col in shown:
            for i, value in enumerate(frame[col].tolist()):
                if isinstance(value, str):
                    out += _problems_in_cell(f"{where} chart field {col!r} row {i}", value, cell_codes, iso3)
    for key in ("title",):
        if isinstance(spec.get(key), str):
            out += _problems_in_text(f"{where} chart title", spec[key], text_codes, iso3)
    return out


def collect_problems(at, cell_codes, text_codes, iso3) -> list[str]:
    out = []
    for i, df in enumerate(at.dataframe):
        out += _frame_problems(f"dataframe {i}", df.value, cell_codes, text_codes, iso3,
                               placeholder=getattr(df.proto, "placeholder", "") or "")
    for i, t in enumerate(at.table):
        out += _frame_problems(f"table {i}", t.value, cell_codes, text_codes, iso3)
    for m in at.metric:
        out += _problems_in_text(f"metric {m.label!r} label", m.label, text_codes, iso3)
        out += _problems_in_text(f"metric {m.label!r} value", str(m.value), text_codes, iso3)
        if str(m.value).strip() in MISSING_WORDS:
            out.append(f"metric {m.label!r}: value reads {m.value!r}")
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error", "text"):
        for el in getattr(at, kind):
            out += _problems_in_text(kind, str(el.value), text_codes, iso3)
    for kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
        for i, el in enumerate(at.get(kind)):
            out += _chart_problems(f"{kind} {i}", el.proto, cell_codes, text_codes, iso3)
    return out


@pytest.mark.parametrize("page", [pytest.param(p, id=Path(p).stem) for p in PAGES])
def test_no_none_nan_or_code_is_shown(sample_db_path, monkeypatch, page):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV

    st.cache_data.clear()
    monkeypatch.setenv(DB_ENV, str(sample_db_path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    at.run()  # one run per page
    assert not at.exception, at.exception
    cell_codes, text_codes, iso3 = codes(str(sample_db_path))
    problems = collect_problems(at, cell_codes, text_codes, iso3)
    assert not problems, f"{page} shows {len(problems)} cell(s) or text(s) a person should not read:\n" + \
        "\n".join(dict.fromkeys(problems[:40]))


def test_the_checks_catch_what_the_issue_saw(sample_db_path):
    """The detector itself: the preview the issue saw (codes, None) fails; a readable one passes."""
    cell_codes, text_codes, iso3 = codes(str(sample_db_path))
    bad = pd.DataFrame({"partners": ["unwomen; paris21"], "countries": ["CIV; SEN"], "type": ["knowledge_exchange"],
                        "tool": [None], "end": ["NaT"]})
    found = _frame_problems("preview", bad, cell_codes, text_codes, iso3)
    assert len(found) == 5, found
    good = pd.DataFrame({"Partners": ["UN Women; PARIS21"], "Countries": ["Côte d'Ivoire; Senegal"],
                         "Type": ["Knowledge exchange"], "Tool": ["—"], "End": [pd.NaT], "Year": [2026]})
    good["End"] = pd.to_datetime(good["End"])
    assert _frame_problems("preview", good, cell_codes, text_codes, iso3, placeholder="—") == []
    # without a placeholder the empty date is drawn "None"
    assert [p for p in _frame_problems("preview", good, cell_codes, text_codes, iso3) if "'End'" in p]
    assert _problems_in_text("caption", "Rows of `collab_data` [x](?partner=unwomen) are fine", text_codes, iso3) == []
    assert _problems_in_text("caption", "Shared by unwomen and CIV; SEN", text_codes, iso3)

"""Tools through the form and from a file: findings by row and column, owners (a partner
editor's own partner always one of them), dimensions and stages read from common words."""

from __future__ import annotations

import shutil

import pytest
from conftest import TODAY
from editors import PARIS_CODE, make_editor_app, sign_in

from collab_data.db import WriteRejected, get_database
from collab_data.ingest import activities as A
from collab_data.records import tools as T

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")
HEADER = ",".join(T.FIELDS)


@pytest.fixture()
def rw(writable_db):
    return writable_db  # a private copy of the sample (conftest)


def _plan(db, rows, editor=ADMIN):
    return T.validate_file(("\n".join([HEADER, *rows]) + "\n").encode(), "t.csv", db, today=TODAY, editor=editor)


@pytest.mark.parametrize(("row", "column", "message"), [
    ("Gender Data Compass,index,mature,ODW,,,,,", "name", "already in the catalogue"),
    ("New tool,spaceship,mature,ODW,,,,,", "kind", "Unknown kind 'spaceship'"),
    ("New tool,index,ancient,ODW,,,,,", "stage", "Unknown stage 'ancient'"),
    ("New tool,index,mature,Nobody Inc,,,,,", "owners", "Unknown partner 'Nobody Inc'"),
    ("New tool,index,mature,,,,,,", "owners", "No owner is named"),
    ("New tool,index,mature,ODW,,height,,,", "lnob_dimensions", "Unknown LNOB dimension 'height'"),
    ("New tool,index,mature,ODW,,,,1066,", "launched_year", "not a plausible launch year"),
    ("New tool,index,mature,ODW,,,not a site,,", "website", "is not a web address"),
])
def test_findings(rw, row, column, message):
    before = rw.table_checksums()
    plan = _plan(rw, [row])
    errors = [f for f in plan.findings if f.tier == "error"]
    assert [(f.row, f.column) for f in errors] == [(2, column)] and message in errors[0].message
    assert rw.table_checksums() == before


def test_words_and_the_write(rw):
    plan = _plan(rw, ["Disability module,survey module,prototype,UNICEF; Sightsavers,disability; surveys,"
                      "Disability; Location (urban/rural),https://example.org,2025,A short module"])
    r = plan.records[0]
    assert (r["kind"], r["stage"], r["owners"], r["dimensions"]) == ("methodology", "pilot", ["unicef", "sightsavers"],
                                                                     ["disability", "location"])
    batch = T.write(rw, plan, editor=ADMIN)
    assert rw.rows("SELECT count(*) FROM tool_owners WHERE batch_id = ?", [batch]) == [(2,)]
    assert rw.rows("SELECT topic FROM tool_topics WHERE batch_id = ? ORDER BY 1", [batch]) == [("disability",),
                                                                                              ("surveys",)]


def test_a_partner_editor_owns_what_it_adds(rw):
    plan = _plan(rw, ["Stats planning kit,guidance,pilot,,,,,,"], editor=PARIS)
    assert plan.records[0]["owners"] == ["paris21"]
    other = _plan(rw, ["Another kit,guidance,pilot,ODW,,,,,"], editor=ADMIN)
    with pytest.raises(WriteRejected, match="only tools its own partner owns"):
        T.write(rw, other, editor=PARIS)


def test_a_partner_editor_adds_a_tool_through_the_form(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "form.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    assert not [t for t in at.text_input if t.key == "tf_name"], "visitors see no tool form"
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    at.text_input(key="tf_name").input("Statistical planning kit")
    next(b for b in at.button if b.label == "Add the tool").click().run()
    assert any("The kind is empty" in e.value for e in at.error)
    at.selectbox(key="tf_kind").set_value("guidance")
    at.selectbox(key="tf_stage").set_value("pilot")
    at.multiselect(key="tf_dims").set_value(["sex"])
    next(b for b in at.button if b.label == "Add the tool").click().run()
    assert not at.exception, at.exception
    assert any("Added the tool Statistical planning kit" in s.value for s in at.success)
    db = get_database(path)
    assert db.rows("SELECT t.kind, o.partner_id FROM tools t JOIN tool_owners o USING (tool_id) "
                   "WHERE t.name = 'Statistical planning kit'") == [("guidance", "paris21")]


def test_template_example_validates(rw):
    plan = T.validate_file(T.template_csv(example=True), "t.csv", rw, today=TODAY, editor=ADMIN)
    assert len(plan.records) == 1 and not [f for f in plan.findings if f.tier in ("error", "critical")]

"""From an empty collaborative to a working dashboard, in Chromium against a real server: an
administrator registers three partners (one through the form, two from a file); a partner
editor adds a tool, imports a programmes file of 20 rows of which two are bad (findings
shown, 18 imported) and an activities file; the pages then show exactly these records,
without the sample badge."""

from __future__ import annotations

import shutil

import pytest
from browser import ARTIFACTS, streamlit_server, wait_for_run
from test_browser import Watched

from collab_data import auth
from collab_data.db import Database

pytestmark = pytest.mark.browser

COUNTRIES = ["Kenya", "Uganda", "Ghana", "Senegal", "Nepal", "Rwanda", "Mali", "Niger", "Togo", "Benin", "Malawi",
             "Zambia", "Peru", "Bolivia", "Haiti", "Laos", "Chad", "Sudan"]


def _upload(page, label: str, path) -> None:
    box = page.locator("[data-testid=stFileUploader]").filter(has_text=label)
    box.wait_for(state="visible", timeout=30_000)
    wait_for_run(page)
    box.locator("input[type=file]").set_input_files(str(path))


def _sign_in(page, name: str, code: str) -> None:
    page.get_by_text("Sign in", exact=True).first.click()
    page.get_by_label("Editor name").fill(name)
    page.get_by_label("Passcode").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").first.wait_for(timeout=30_000)
    wait_for_run(page)


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).click()


def test_an_empty_collaborative_becomes_a_dashboard(browser, empty_db_path, tmp_path):
    db = tmp_path / "start.duckdb"
    shutil.copy(empty_db_path, db)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[[editors]]\nname = "Secretariat"\npartner = "admin"\n'
        f'passcode_hash = "{auth.hash_passcode("admin passcode")}"\n'
        '[[editors]]\nname = "PARIS21 data lead"\npartner = "paris21"\n'
        f'passcode_hash = "{auth.hash_passcode("paris passcode")}"\n', encoding="utf-8")
    partners = tmp_path / "partners.csv"
    partners.write_text("name,acronym,org_type,hq,collaboratives\n"
                        "UN Women,,UN agency,United States,gender; LNOB\n"
                        "Open Data Watch,ODW,NGO,USA,gender\n", encoding="utf-8")
    programmes = tmp_path / "programmes.csv"
    rows = [f"PARIS21,{c},,technical assistance,gender statistics,2026-0{1 + i % 9}-1{i % 10},,active,"
            for i, c in enumerate(COUNTRIES)]
    rows += ["PARIS21,Narnia,,training,,2026-01-01,,active,", "ODW,Kenya,,training,,2026-01-02,,active,"]
    programmes.write_text("partner,country,tool,support_type,topic,start_date,end_date,status,notes\n"
                          + "\n".join(rows) + "\n", encoding="utf-8")
    activities = tmp_path / "activities.csv"
    activities.write_text("title,type,start_date,partners,countries\n"
                          "Peer review of the Kenya NSDS,peer review,2026-10-05,PARIS21; ODW,Kenya\n"
                          "Gender statistics training,training,2026-10-20,PARIS21; UN Women,Ghana; Senegal\n",
                          encoding="utf-8")
    with streamlit_server(db, args=["--secrets.files", str(secrets)]) as base:
        w = Watched(browser, width=1400, height=1000)
        page = w.page
        try:
            # -- the administrator registers three partners ---------------------------------
            page.goto(f"{base}/manage")
            wait_for_run(page)
            _sign_in(page, "Secretariat", "admin passcode")
            page.get_by_label("Name *", exact=True).fill("Partnership in Statistics for Development in the 21st Century")
            page.get_by_label("Acronym", exact=True).fill("PARIS21")
            _choose(page, "Type *", "Multilateral organisation")
            page.get_by_label("Headquarters (country)").fill("France")
            page.get_by_role("button", name="Register the partner").click()
            page.get_by_text("as partner 'paris21'").wait_for(timeout=30_000)
            wait_for_run(page)
            page.get_by_role("tab", name="Register partners from a file").click()
            _upload(page, "Partners file", partners)
            page.get_by_text("Partners that will be registered (2)").wait_for(timeout=30_000)
            wait_for_run(page)
            page.get_by_role("button", name="Register 2 partners").click()
            page.get_by_text("Registered 2 partners from partners.csv").wait_for(timeout=30_000)
            wait_for_run(page)
            page.get_by_role("button", name="Sign out").first.click()
            wait_for_run(page)
            # -- the partner editor adds a tool, its programmes and its activities ----------
            _sign_in(page, "PARIS21 data lead", "paris passcode")
            page.get_by_label("Tool name *").fill("Statistical planning kit")
            _choose(page, "Kind *", "Guidance")
            _choose(page, "Stage *", "Pilot")
            page.get_by_role("button", name="Add the tool").click()
            page.get_by_text("Added the tool Statistical planning kit").wait_for(timeout=30_000)
            wait_for_run(page)
            _upload(page, "Programmes file", programmes)
            page.get_by_text("Programmes that will be imported (18)").wait_for(timeout=30_000)
            wait_for_run(page)
            assert page.get_by_text("Rows not imported").count() >= 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "start-empty-programmes-preview.png"), full_page=True)
            page.get_by_role("button", name="Import 18 programmes").click()
            page.get_by_text("Imported 18 programmes from programmes.csv").wait_for(timeout=30_000)
            wait_for_run(page)
            # the sidebar link keeps the session (and the sign-in); a new address would start a new one
            page.locator("[data-testid=stSidebarNav]").get_by_role("link", name="Activities").click()
            page.get_by_role("heading", name="Activities").first.wait_for(timeout=30_000)
            wait_for_run(page)
            page.get_by_role("tab", name="Upload activities").click()
            _upload(page, "Activities file", activities)
            page.get_by_text("Rows that will be written (2)").wait_for(timeout=30_000)
            wait_for_run(page)
            page.get_by_role("button", name="Import the 2 valid rows").click()
            page.get_by_text("Imported 2 activities").wait_for(timeout=30_000)
            wait_for_run(page)
            # -- the pages show these records, and no sample badge -----------------------------
            for slug, heading in (("", "Overview"), ("countries", "Countries"), ("overlap", "Overlap"),
                                  ("brief?country=Kenya", "Country brief")):
                page.goto(f"{base}/{slug}")
                wait_for_run(page)
                assert page.get_by_role("heading", name=heading).count() >= 1, slug
                assert page.get_by_text("Sample data").count() == 0, f"{slug}: no sample badge"
                assert page.locator("[data-testid=stException]").count() == 0, slug
                page.screenshot(path=str(ARTIFACTS / f"start-empty-{slug.split('?')[0] or 'overview'}.png"),
                                full_page=True)
            page.goto(base)
            wait_for_run(page)
            assert page.get_by_text("Data as of 20 October 2026").count() >= 1, "the newest recorded activity"
            assert w.outside() == []
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "start-empty-failure.png"), full_page=True)
            raise
        finally:
            w.close()
    check = Database(db, read_only=True)
    try:
        assert check.rows("SELECT count(*), count(*) FILTER (is_sample) FROM partners") == [(3, 0)]
        assert check.rows("SELECT count(*) FROM tools") == [(1,)]
        assert check.rows("SELECT count(*), count(DISTINCT iso3) FROM country_programs") == [(18, 18)]
        assert check.rows("SELECT count(*) FROM activities") == [(2,)]
    finally:
        check.close()

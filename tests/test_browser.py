"""Browser tests: Debian's Chromium, driven by Playwright, against a real ``streamlit run``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, KNOWN_CONSOLE_NOISE, LOCAL_PREFIXES, pick, streamlit_server, wait_for_run
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGES = {
    "": "Overview",  # the default page lives at /
    "partners": "Partners & tools",
    "overlap": "Overlap",
    "countries": "Countries",
    "gaps": "Data gaps",
    "activities": "Activities",
    "kpis": "KPIs & targets",
    "network": "Collaboration network",
    "brief": "Country brief",
    "manage": "Manage records",
}


class Watched:
    """A page whose requests and console errors are recorded."""

    def __init__(self, browser, width=1280, height=800):
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_PREFIXES)]

    def real_errors(self) -> list[str]:
        return [e for e in self.errors if not KNOWN_CONSOLE_NOISE.search(e)]

    def close(self):
        self.context.close()


@pytest.mark.parametrize("slug", list(PAGES), ids=lambda s: s or "overview")
def test_every_page_loads_cleanly_offline(browser, server, slug):
    w = Watched(browser)
    try:
        w.page.goto(f"{server}/{slug}")
        wait_for_run(w.page, quiet_ms=1000)  # charts and the map draw after the run: wait until they stop changing
        ARTIFACTS.mkdir(exist_ok=True)
        w.page.screenshot(path=str(ARTIFACTS / f"page-{slug or 'overview'}.png"), full_page=True)
        assert w.page.locator("[data-testid=stException]").count() == 0
        assert w.page.get_by_role("heading", name=PAGES[slug]).count() >= 1
        assert w.real_errors() == []
        assert w.outside() == [], "no request may leave localhost (tiles, fonts, icons)"
    finally:
        w.close()


def _sentence(page) -> str:
    return page.locator("[data-testid=stMarkdownContainer]", has_text="Showing:").first.inner_text()


def _kpi_values(page) -> list[str]:
    # the six KPI tiles arrive in the same run, but may be drawn a moment after it ends
    page.wait_for_function("document.querySelectorAll('[data-testid=stMetricValue]').length >= 6", timeout=15_000)
    return [t.strip() for t in page.locator("[data-testid=stMetricValue]").all_inner_texts()]


def test_filter_change_goes_to_the_url_and_the_url_restores_it(browser, server):
    w = Watched(browser)
    try:
        w.page.goto(f"{server}/")
        wait_for_run(w.page)
        before = _kpi_values(w.page)
        w.page.get_by_role("radio", name="Gender", exact=True).click()
        w.page.wait_for_function("() => location.search.includes('collab=Gender')", timeout=15_000)
        # the rerun for Gender has drawn its page (the URL changes before the script runs): a widget
        # clicked mid-run can be redrawn under the pointer and lose the click
        w.page.locator("[data-testid=stMarkdownContainer]", has_text="Showing:").filter(
            has_text="gender data collaborative").first.wait_for(timeout=30_000)
        wait_for_run(w.page)
        pick(w.page, w.page.get_by_role("combobox", name="Period"), "2025", "() => location.search.includes('period=2025')")
        # the URL changes before the rerun has drawn: wait for the rerun's own sentence, then for its end
        w.page.locator("[data-testid=stMarkdownContainer]", has_text="Showing:").filter(has_text="2025").first.wait_for(
            timeout=30_000)
        wait_for_run(w.page)
        url = w.page.url
        query = parse_qs(urlparse(url).query)
        assert query["collab"] == ["Gender"] and query["period"] == ["2025"]
        shown = _kpi_values(w.page)
        sentence = _sentence(w.page)
        assert shown != before or not before

        again = Watched(browser)
        try:
            again.page.goto(url)
            wait_for_run(again.page)
            assert _kpi_values(again.page) == shown
            assert _sentence(again.page) == sentence
            assert "gender data collaborative" in sentence and "2025" in sentence
        finally:
            again.close()
    finally:
        w.close()


def test_overview_lists_every_kpi_off_track_first(browser, server):
    """Leadership sees all the KPIs on the home screen, the ones off track first (not a chosen few that
    look all green)."""
    from collab_data import metrics

    w = Watched(browser, width=1400, height=1000)
    try:
        w.page.goto(f"{server}/")
        wait_for_run(w.page)
        n = len(metrics.KPIS)
        w.page.wait_for_function(f"document.querySelectorAll('[data-testid=stMetricLabel]').length >= {n}",
                                 timeout=15_000)
        labels = [t.strip() for t in w.page.locator("[data-testid=stMetricLabel]").all_inner_texts()]
        assert sorted(labels) == sorted(k.name for k in metrics.KPIS.values())
        words = ("Off track", "At risk", "On track")
        pills = [t.strip() for t in w.page.locator("[data-testid=stMarkdownContainer] span[style*='border-radius']")
                 .all_inner_texts()]
        statuses = [next((word for word in words if word in t), "other") for t in pills]
        assert len(statuses) == n and "Off track" in statuses, pills
        rank = {"Off track": 0, "At risk": 1, "On track": 2, "other": 3}
        assert [rank[s] for s in statuses] == sorted(rank[s] for s in statuses), statuses
        assert w.page.get_by_text(f"{statuses.count('Off track')} Off track", exact=False).count() >= 1
        assert w.real_errors() == [] and w.outside() == []
    finally:
        w.close()


def test_overlap_draws_the_open_tab_and_the_address_keeps_it(browser, server):
    """Overlap works out and draws only the heatmap of the open tab: clicking "Partner × partner" reruns,
    draws that heatmap (one chart in the tabs) and puts the tab in the URL, so a link opens it again."""
    w = Watched(browser, width=1400, height=1000)
    try:
        page = w.page
        page.goto(f"{server}/overlap")
        wait_for_run(page)
        tabs = page.locator("[data-testid=stTabs]").filter(has_text="Partners × countries").first
        tabs.locator("[data-testid=stVegaLiteChart]").first.wait_for(timeout=30_000)
        wait_for_run(page)
        assert tabs.locator("[data-testid=stVegaLiteChart]").count() == 1
        tabs.get_by_role("tab", name=re.compile("Partner × partner")).click()
        page.wait_for_function("() => location.search.includes('ov_tab=')", timeout=15_000)
        caption = page.get_by_text("Countries where both partners have a programme in view")
        caption.wait_for(timeout=30_000)
        wait_for_run(page)
        tabs.locator("[data-testid=stVegaLiteChart]").filter(visible=True).first.wait_for(timeout=30_000)
        assert tabs.locator("[data-testid=stVegaLiteChart]").filter(visible=True).count() == 1
        url = page.url
        page.goto(url)
        wait_for_run(page)
        page.get_by_text("Countries where both partners have a programme in view").wait_for(timeout=30_000)
        assert page.get_by_role("tab", name=re.compile("Partner × partner")).get_attribute("aria-selected") == "true"
        assert page.locator("[data-testid=stException]").count() == 0 and w.real_errors() == []
    finally:
        w.close()


def test_the_partner_lens_lists_the_other_partners_in_its_countries(browser, server):
    """A partner asks "who else works where we work": with My partner = UN Women (even with the Partners
    filter on UN Women), Overlap lists the other partners of its countries; the choice goes to the URL."""
    import csv

    w = Watched(browser, width=1400, height=1000)
    try:
        page = w.page
        page.goto(f"{server}/overlap?partner=UN%20Women&my_partner=UN%20Women")
        wait_for_run(page)
        main = page.locator("[data-testid=stMain]")
        main.get_by_role("heading", name="My partner: UN Women").wait_for(timeout=15_000)
        page.get_by_role("tab", name=re.compile(r"Who else, with which tools")).click()
        with page.expect_download() as dl:
            page.get_by_role("button", name=re.compile("⬇ Download")).filter(visible=True).first.click()
        text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(line for line in text.splitlines() if line and not line.lstrip('"').startswith("#")))
        others = {r["Other partner"] for r in rows}
        assert {"GPSDD", "CIVICUS", "UNSD", "PARIS21"} <= others and "UN Women" not in others, others
        assert {(r["Country"], r["Other partner"]) for r in rows} >= {("Ghana", "GPSDD"), ("Ghana", "CIVICUS")}

        pick(page, page.get_by_role("combobox", name="My partner"), "PARIS21",
             "() => location.search.includes('my_partner=PARIS21')")
        wait_for_run(page)
        main.get_by_role("heading", name="My partner: PARIS21").wait_for(timeout=15_000)
        page.reload()
        wait_for_run(page)
        main.get_by_role("heading", name="My partner: PARIS21").wait_for(timeout=15_000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert w.real_errors() == [] and w.outside() == []
    finally:
        w.close()


def test_deep_link_on_a_fresh_server_runs_the_router(browser, sample_db_path, tmp_path):
    """The very first request of a new server is a deep link with filters in it."""
    db = tmp_path / "fresh.duckdb"
    shutil.copy(sample_db_path, db)
    with streamlit_server(db) as base:
        w = Watched(browser)
        try:
            w.page.goto(f"{base}/countries?collab=LNOB&country=Kenya")
            wait_for_run(w.page)
            assert w.page.get_by_role("heading", name="Countries").count() >= 1
            assert w.page.get_by_text("Filters", exact=True).count() >= 1, "the shared filter bar is there"
            sentence = _sentence(w.page)
            assert "LNOB data collaborative" in sentence and "Kenya" in sentence
        finally:
            w.close()


def test_first_start_builds_the_database_in_the_browser(browser, tmp_path):
    db = tmp_path / "new" / "collab.duckdb"
    with streamlit_server(db) as base:
        w = Watched(browser)
        try:
            w.page.goto(base)
            wait_for_run(w.page, timeout=120_000)
            assert db.exists()
            assert w.page.get_by_role("heading", name="Overview").count() >= 1
            assert w.page.locator("[data-testid=stException]").count() == 0
        finally:
            w.close()


def test_editor_uploads_through_the_real_file_input(browser, sample_db_path, tmp_path):
    """Sign in, upload the example through the browser's file input, preview, import."""
    from collab_data import auth
    from collab_data.ingest.activities import template_csv

    db = tmp_path / "upload.duckdb"
    shutil.copy(sample_db_path, db)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[[editors]]\nname = "Secretariat"\npartner = "admin"\n'
        f'passcode_hash = "{auth.hash_passcode("browser test passcode")}"\n', encoding="utf-8")
    example = tmp_path / "activities-example.csv"
    # a partner's file carries a column we do not use: it must be named, with its values, not dropped silently
    lines = template_csv(example=True).decode("utf-8-sig").splitlines()
    lines = [lines[0] + ",Budget (USD)"] + [line + ",1000" for line in lines[1:] if line.strip()]
    example.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with streamlit_server(db, args=["--secrets.files", str(secrets)]) as base:
        w = Watched(browser)
        try:
            page = w.page
            page.goto(f"{base}/activities")
            wait_for_run(page)
            assert page.get_by_text("151 activities").count() == 1
            page.get_by_role("tab", name="Upload activities").click()
            assert page.locator("input[type=file]").count() == 0, "no upload control before sign-in"
            page.get_by_label("Editor name").fill("Secretariat")
            page.get_by_label("Passcode").fill("browser test passcode")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_text("Signed in as").wait_for(timeout=20_000)
            page.get_by_role("tab", name="Upload activities").click()
            page.locator("input[type=file]").set_input_files(str(example))
            page.get_by_text("Rows that will be written (4)").wait_for(timeout=30_000)
            wait_for_run(page)
            unmatched = page.locator("[data-testid=stAlert]").filter(
                has_text="The column 'Budget (USD)' is not matched to any field")
            assert unmatched.count() == 1
            assert "1000" in unmatched.inner_text() and "not imported" in unmatched.inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "upload-preview.png"), full_page=True)
            page.get_by_role("button", name="Import the 4 valid rows").click()
            page.get_by_text("Imported 4 activities").wait_for(timeout=30_000)
            wait_for_run(page)
            page.get_by_role("tab", name="Activity log").click()
            assert page.get_by_text("155 activities").count() == 1

            # undo asks first, says what it removed, and the batch then reads undone
            page.get_by_role("tab", name="Import history").click()
            wait_for_run(page)
            undo = page.get_by_role("button", name=re.compile(r"Undo batch \d+ \(4 activities\)"))
            expect(undo).to_be_disabled()
            page.get_by_text(re.compile(r"Yes, remove the 4 activities of batch")).click()
            expect(undo).to_be_enabled()
            undo.click()
            page.get_by_text(re.compile(r"Batch \d+ undone: 4 activities removed from activities-example\.csv")
                             ).wait_for(timeout=30_000)
            wait_for_run(page)
            assert page.get_by_role("button", name=re.compile(r"Undo batch")).count() == 0
            picker = page.get_by_role("combobox", name="Look at a batch")
            expect(picker).to_have_value(re.compile(r"Undone on"))
            page.get_by_role("tab", name="Activity log").click()
            assert page.get_by_text("151 activities").count() == 1
            assert w.page.locator("[data-testid=stException]").count() == 0
            assert w.outside() == []
        finally:
            w.close()

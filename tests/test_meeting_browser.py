"""Meeting mode in a real browser: every slide at 1280 × 720 and 1920 × 1080, moved through
with the keyboard, fits the screen without scrolling, shows no sidebar and stays offline.

Screenshots: ``test-artifacts/meeting-<w>x<h>-slide<N>.png``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, KNOWN_CONSOLE_NOISE, LOCAL_PREFIXES, wait_for_run

pytestmark = pytest.mark.browser

#: (width, height, the key that moves to the next slide)
SIZES = [(1280, 720, "ArrowRight"), (1920, 1080, "PageDown")]
#: Pixels a slide may exceed the viewport by (sub-pixel rounding), never a scroll.
TOLERANCE = 2

MEASURE = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const sidebar = document.querySelector('[data-testid=stSidebar]');
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, innerHeight: innerHeight,
    pageHeight: document.documentElement.scrollHeight,
    mainScrollHeight: main.scrollHeight, mainScrollWidth: main.scrollWidth, mainClientWidth: main.clientWidth,
    sidebarShown: !!sidebar && sidebar.getBoundingClientRect().width > 0 && getComputedStyle(sidebar).display !== 'none',
    headerShown: !!document.querySelector('[data-testid=stHeader]')
      && document.querySelector('[data-testid=stHeader]').getBoundingClientRect().height > 0,
  };
}"""


def indicator(page) -> str:
    return page.locator(".st-key-meeting_bar [data-testid=stMarkdownContainer] p").first.inner_text()


@pytest.mark.parametrize(("width", "height", "key"), SIZES, ids=[f"{w}x{h}" for w, h, _ in SIZES])
def test_every_slide_fits_the_screen(browser, server, width, height, key):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(f"{server}/meeting")
        wait_for_run(page)
        total = int(re.match(r"1 / (\d+) · ", indicator(page)).group(1))
        assert total == 8, "the sample: key figures, map, 3 spotlights, overlap, gaps, latest"
        for n in range(1, total + 1):
            if n > 1:
                page.keyboard.press(key)
                page.wait_for_function(
                    "n => (document.querySelector('.st-key-meeting_bar p') || {}).innerText?.startsWith(n + ' /')",
                    arg=n, timeout=20_000)
                wait_for_run(page)
                assert parse_qs(urlparse(page.url).query).get("slide") == [str(n)], "the slide number is in the URL"
            if n == 2:
                page.wait_for_selector("[data-testid=stDeckGlJsonChart] canvas", timeout=20_000)
            page.wait_for_timeout(1000)  # charts and the map draw after the run
            page.screenshot(path=str(ARTIFACTS / f"meeting-{width}x{height}-slide{n}.png"))

            shown = indicator(page)
            assert shown.startswith(f"{n} / {total} · ")
            assert shown.split(" · ")[1] in page.locator("h1").first.inner_text(), "the slide title is shown"
            assert shown.endswith(" · data as of 19 Nov 2026"), "every slide says how fresh its data is"
            m = page.evaluate(MEASURE)
            assert not m["sidebarShown"], f"slide {n}: the sidebar is hidden in meeting mode"
            assert not m["headerShown"], f"slide {n}: the toolbar is hidden in meeting mode"
            assert m["scrollWidth"] <= m["innerWidth"], f"slide {n} overflows sideways: {m}"
            assert m["mainScrollWidth"] <= m["mainClientWidth"], f"slide {n} overflows sideways: {m}"
            # stMain is the element that scrolls in Streamlit 1.67; the document itself must not either
            assert m["mainScrollHeight"] <= m["innerHeight"] + TOLERANCE, f"slide {n} needs scrolling: {m}"
            assert m["pageHeight"] <= m["innerHeight"] + TOLERANCE, f"slide {n} needs scrolling: {m}"
            assert page.locator("[data-testid=stException]").count() == 0, f"slide {n} raised"
        assert page.get_by_role("button", name=re.compile("^Next")).first.is_disabled(), "the last slide"
        assert [e for e in errors if not KNOWN_CONSOLE_NOISE.search(e)] == []
        assert [u for u in requests if not u.startswith(LOCAL_PREFIXES)] == [], "no request may leave localhost"
    finally:
        context.close()


def test_the_slide_buttons_are_focusable(browser, server):
    """Tab reaches Previous, Next, the agenda, the slide number and the exit link; Enter on Next moves on."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/meeting?slide=2")
        wait_for_run(page)
        # the page's style hides the sidebar; until it has, its links would take the first Tab stops
        page.wait_for_selector("[data-testid=stSidebar]", state="hidden", timeout=20_000)
        page.locator(".st-key-meeting_bar").wait_for(state="visible", timeout=20_000)
        reached = []
        for _ in range(12):  # the bar and the map may take a stop of their own
            page.keyboard.press("Tab")
            reached.append(page.evaluate(
                "() => (document.activeElement.innerText || document.activeElement.getAttribute('aria-label') || '')"
                ".trim()"))
        joined = " | ".join(reached)
        for name in ("Previous", "Next", "Agenda", "Slide", "Exit"):
            assert name in joined, f"{name} is not reachable with Tab: {joined}"
        page.locator(".st-key-meeting_next button").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.search.includes('slide=3')", timeout=20_000)
        wait_for_run(page)
        assert indicator(page).startswith("3 / 8")
    finally:
        context.close()

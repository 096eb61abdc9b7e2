"""Meeting mode in a real browser: every slide at 1280 × 720 and 1920 × 1080, moved through
with the keyboard, fits the screen without scrolling, shows no sidebar, stays offline and is
readable from the back of a room (font sizes measured from the DOM); on a phone (390 × 844)
one readable column with its controls on screen. One server for the whole module.

Screenshots: ``test-artifacts/meeting-<w>x<h>-slide<N>.png``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, KNOWN_CONSOLE_NOISE, LOCAL_PREFIXES, wait_for_run

pytestmark = pytest.mark.browser

#: (width, height, the key that moves to the next slide, smallest body text, smallest chart text) in px.
#: At 1920 wide the room reads it: body text ≥ 20 px, chart labels ≥ 16 px (the issue's bar).
SIZES = [(1280, 720, "ArrowRight", 16, 13), (1920, 1080, "PageDown", 20, 16)]
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

#: The text a person reads on the slide, as drawn: (text, px) of the body text (paragraphs, list
#: items, captions; the bar's small print apart) and of every text of every chart (Vega draws SVG
#: text; a zoomed box, the map's, counts its zoom).
FONTS = """() => {
  const px = e => parseFloat(getComputedStyle(e).fontSize) * (e.currentCSSZoom || 1);
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const body = [...document.querySelectorAll(
      '.st-key-meeting_slide p, .st-key-meeting_slide li, .st-key-meeting_slide [data-testid=stCaptionContainer]')]
    .filter(e => shown(e) && e.innerText.trim()).map(e => [e.innerText.trim().slice(0, 40), px(e)]);
  const charts = [...document.querySelectorAll('.st-key-meeting_slide .vega-embed svg text')]
    .filter(e => e.textContent.trim()).map(e => [e.textContent.trim().slice(0, 40), px(e)]);
  return {body, charts};
}"""

#: Every chart of the slide has drawn its text.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
  .every(c => c.querySelector('svg text'))"""


def indicator(page) -> str:
    return page.locator(".st-key-meeting_bar [data-testid=stMarkdownContainer] p").first.inner_text()


def settle(page, n: int, first: bool = False) -> None:
    """Wait until slide ``n``'s run is done and its charts (and the map) are drawn (after a key
    press the caller has already seen the new slide number, so the run has started)."""
    if first:
        wait_for_run(page)
        # the slide's own style (no sidebar, no toolbar) is in force: on a first load under load the page
        # was once measured before it applied; the assertions below still fail if it never does
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stSidebar]')]"
                               ".every(s => getComputedStyle(s).display === 'none')", timeout=20_000)
    else:
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=20_000)
    if n == 2:
        page.wait_for_selector("[data-testid=stDeckGlJsonChart] canvas", timeout=20_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=20_000)


@pytest.mark.parametrize(("width", "height", "key", "body_px", "chart_px"), SIZES,
                         ids=[f"{w}x{h}" for w, h, *_ in SIZES])
def test_every_slide_fits_the_screen_and_reads_from_the_back(browser, server, width, height, key, body_px, chart_px):
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
        settle(page, 1, first=True)
        total = int(re.match(r"1 / (\d+) · ", indicator(page)).group(1))
        assert total == 8, "the sample: key figures, map, 3 spotlights, overlap, gaps, latest"
        for n in range(1, total + 1):
            if n > 1:
                page.keyboard.press(key)
                page.wait_for_function(
                    "n => (document.querySelector('.st-key-meeting_bar p') || {}).innerText?.startsWith(n + ' /')",
                    arg=n, timeout=20_000)
            if n > 1:
                settle(page, n)
                assert parse_qs(urlparse(page.url).query).get("slide") == [str(n)], "the slide number is in the URL"
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

            fonts = page.evaluate(FONTS)
            assert fonts["body"], f"slide {n} shows text"
            small = [t for t in fonts["body"] if t[1] < body_px]
            assert not small, f"slide {n}: body text under {body_px} px at {width}x{height}: {small[:5]}"
            small = [t for t in fonts["charts"] if t[1] < chart_px]
            assert not small, f"slide {n}: chart text under {chart_px} px at {width}x{height}: {small[:5]}"
            if n in (6, 7):
                assert fonts["charts"], f"slide {n} draws its charts"
        assert page.get_by_role("button", name=re.compile("^Next")).first.is_disabled(), "the last slide"
        assert [e for e in errors if not KNOWN_CONSOLE_NOISE.search(e)] == []
        assert [u for u in requests if not u.startswith(LOCAL_PREFIXES)] == [], "no request may leave localhost"
    finally:
        context.close()


PHONE = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
  const bar = document.querySelector('.st-key-meeting_bar');
  const controls = [...bar.querySelectorAll('button, input, a')].filter(e => e.getBoundingClientRect().width > 0);
  const h1 = document.querySelector('[data-testid=stMain] h1');
  const where = bar.querySelector('p');
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, innerHeight: innerHeight,
    mainScrollWidth: document.querySelector('[data-testid=stMain]').scrollWidth,
    mainClientWidth: document.querySelector('[data-testid=stMain]').clientWidth,
    controls: controls.map(e => [(e.innerText || e.getAttribute('aria-label') || e.tagName).trim(), ...box(e)]),
    titleWidth: h1.getBoundingClientRect().width, titleHeight: h1.getBoundingClientRect().height,
    titlePx: parseFloat(getComputedStyle(h1).fontSize),
    whereWidth: where.getBoundingClientRect().width, whereHeight: where.getBoundingClientRect().height,
    whereLine: parseFloat(getComputedStyle(where).lineHeight) || 20,
  };
}"""


def test_on_a_phone_one_readable_column_with_its_controls(browser, server):
    """390 × 844: nothing overflows sideways, the title and the bar read in lines (not a letter a line),
    Previous / Next / Agenda / the slide number are on screen, also after scrolling the slide."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for n in (3, 6, 7):
            page.goto(f"{server}/meeting?slide={n}")
            settle(page, n, first=True)
            page.screenshot(path=str(ARTIFACTS / f"meeting-390x844-slide{n}.png"))
            m = page.evaluate(PHONE)
            assert m["scrollWidth"] <= m["innerWidth"], f"slide {n} overflows sideways: {m}"
            assert m["mainScrollWidth"] <= m["mainClientWidth"], f"slide {n} overflows sideways: {m}"
            assert m["whereWidth"] >= 300, f"slide {n}: the bar's words have the width of the screen: {m}"
            assert m["whereHeight"] <= 3 * m["whereLine"] + 2, f"slide {n}: the bar's words wrap a letter a line: {m}"
            assert m["titleWidth"] >= 300 and m["titleHeight"] <= 3 * m["titlePx"] * 1.4, f"slide {n}: title: {m}"
            names = " | ".join(c[0] for c in m["controls"])
            for name in ("Previous", "Next", "Agenda", "Slide"):
                assert name in names, f"slide {n}: {name} is not in the bar: {names}"
            for label, left, right, top, bottom in m["controls"]:
                assert left >= 0 and right <= m["innerWidth"] + 1, f"slide {n}: {label} is off screen sideways: {m}"
                assert 0 <= top and bottom <= m["innerHeight"], f"slide {n}: {label} is off screen: {m}"
            fonts = page.evaluate(FONTS)
            small = [t for t in fonts["body"] if t[1] < 14]
            assert not small, f"slide {n}: body text under 14 px on a phone: {small[:5]}"
        # the controls stay on screen when the slide is scrolled
        page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 10000)")
        page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop > 0", timeout=5_000)
        after = page.evaluate(PHONE)["controls"]
        assert after and all(0 <= top and bottom <= 844 for _, _, _, top, bottom in after), f"scrolled away: {after}"
    finally:
        context.close()


def test_the_slide_buttons_are_focusable(browser, server):
    """Tab reaches Previous, Next, the agenda, the slide number and the exit link; Enter on Next moves on."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/meeting?slide=3")
        wait_for_run(page)
        # the page's style hides the sidebar; until it has, its links would take the first Tab stops
        page.wait_for_selector("[data-testid=stSidebar]", state="hidden", timeout=20_000)
        page.locator(".st-key-meeting_bar").wait_for(state="visible", timeout=20_000)
        # the buttons' labels are drawn after the bar itself: a Tab sweep before that misses "Previous"
        for key in ("meeting_prev", "meeting_next"):
            page.wait_for_function(
                "k => { const b = document.querySelector('.st-key-' + k + ' button');"
                " return !!b && b.innerText.trim().length > 0 && b.getBoundingClientRect().width > 0; }",
                arg=key, timeout=20_000)
        reached = []
        for _ in range(10):  # the bar may take a stop of its own
            page.keyboard.press("Tab")
            reached.append(page.evaluate(
                "() => (document.activeElement.innerText || document.activeElement.getAttribute('aria-label') || '')"
                ".trim()"))
        joined = " | ".join(reached)
        for name in ("Previous", "Next", "Agenda", "Slide", "Exit"):
            assert name in joined, f"{name} is not reachable with Tab: {joined}"
        page.locator(".st-key-meeting_next button").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.search.includes('slide=4')", timeout=20_000)
        page.wait_for_function("() => document.querySelector('.st-key-meeting_bar p').innerText.startsWith('4 / 8')",
                               timeout=20_000)
    finally:
        context.close()

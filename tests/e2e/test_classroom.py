"""Teaching a class in a real browser: presenter mode on a 1080p projector (words a room can read, no sidebar, the
chart across the screen), a phone (sidebar folded, tabs on screen, no tool bar over a chart's title), and a class
link that asks before it shows."""

from __future__ import annotations

import pytest

from tests.e2e.server import PAGES, PHONE, exceptions, wait_for_app

PROJECTOR = dict(viewport=dict(width=1920, height=1080))
MIN_PROJECTOR_FONT = 18  # px, in Chromium at 1920 × 1080
LANDSCAPE_PHONE = PHONE | dict(viewport=dict(width=844, height=390))  # wider than where Streamlit folds by itself

# The font size Chromium draws each chart's axis tick labels and axis titles at: [title, smallest tick, smallest
# axis title] (null where a chart has none).
AXIS_FONTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(chart => {
    const sizes = selector => Array.from(chart.querySelectorAll(selector))
        .map(text => parseFloat(getComputedStyle(text).fontSize));
    const smallest = values => values.length ? Math.min(...values) : null;
    return [chart._fullLayout.title.text, smallest(sizes('.xtick text, .ytick text')),
            smallest(sizes('.g-xtitle text, .g-ytitle text, [class*=g-x] > .xtitle, [class*=g-y] > .ytitle'))];
})"""


def folded(page) -> bool:
    """Whether the sidebar is folded away (Streamlit moves it off the screen's left edge)."""
    box = page.locator("[data-testid=stSidebar]").bounding_box()
    return box is None or box["x"] + box["width"] <= 1


@pytest.mark.parametrize("name", ["home", "weight_distributions", "signal_propagation", "symmetry", "order_and_chaos"])
def test_presenter_mode_is_legible_on_a_1080p_projector(browser, server, name):
    path, charts = PAGES[name]
    page = browser.new_page(**PROJECTOR)
    page.goto(f"{server}/{path}?present=1")
    wait_for_app(page, charts=charts)
    fonts = page.evaluate(AXIS_FONTS)
    assert fonts and all(tick is not None and tick >= MIN_PROJECTOR_FONT for _, tick, _ in fonts), fonts
    assert all(title is None or title >= MIN_PROJECTOR_FONT for *_, title in fonts), fonts
    assert any(title is not None for *_, title in fonts), fonts
    assert folded(page)
    chart = page.locator("[data-testid=stPlotlyChart]").first.bounding_box()
    assert chart["width"] >= 0.9 * 1920  # the chart takes the screen's width
    assert float(page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize").removesuffix("px")) >= 60
    cells = page.evaluate("Array.from(document.querySelectorAll('[data-testid=stTable] td'))"
                          ".map(cell => parseFloat(getComputedStyle(cell).fontSize))")
    assert all(size >= MIN_PROJECTOR_FONT for size in cells), cells  # a table's words, as large as the page's
    if name in ("weight_distributions", "symmetry"):  # their tables are in sight as the page opens
        assert cells and page.locator("[data-testid=stDataFrame]").count() == 0
        table = page.locator("[data-testid=stTable]").first.bounding_box()
        assert table["x"] >= 0 and table["x"] + table["width"] <= 1920  # within the screen
    assert exceptions(page) == []
    page.close()


def test_without_presenter_mode_a_laptop_keeps_its_sidebar_and_type(browser, server):
    page = browser.new_page(viewport=dict(width=1280, height=800))
    page.goto(f"{server}/Signal_propagation")
    wait_for_app(page, charts=2)
    assert not folded(page)
    assert all(tick < MIN_PROJECTOR_FONT for _, tick, _ in page.evaluate(AXIS_FONTS))
    page.close()


@pytest.mark.parametrize("device", [PHONE, LANDSCAPE_PHONE], ids=["upright", "landscape"])
def test_a_phone_folds_the_sidebar_keeps_the_tabs_on_screen_and_the_titles_clear(browser, server, device):
    page = browser.new_page(**device)
    page.goto(f"{server}/Signal_propagation")
    wait_for_app(page, charts=2)
    assert folded(page)
    width = device["viewport"]["width"]
    tabs = page.get_by_role("tab").evaluate_all("tabs => tabs.map(t => t.getBoundingClientRect().right)")
    assert len(tabs) == 5 and max(tabs) <= width, tabs  # every tab on screen, none cut or scrolled away
    assert page.locator(".modebar").count() == 0  # Plotly's tool bar sat on the chart's title
    title = page.locator("h1").first.bounding_box()
    header = page.locator("[data-testid=stHeader]").bounding_box()
    assert title["y"] >= header["y"] + header["height"]  # the title starts below Streamlit's bar
    assert exceptions(page) == []
    page.close()


def test_a_class_link_asks_then_reveals_the_chart(browser, server):
    page = browser.new_page(viewport=dict(width=1280, height=900))
    page.goto(f"{server}/Signal_propagation?class=1")
    wait_for_app(page)
    assert page.locator("[data-testid=stRadio]").count() == 1
    assert page.locator(".js-plotly-plot").count() == 0  # the chart waits for the answer
    page.get_by_text("tiny, like").click()
    wait_for_app(page, charts=2)
    reveal = page.locator("[data-testid=stAlert]", has_text="You said").inner_text()
    assert "It is:" in reveal and "at layer 50" in reveal
    assert "class=true" in page.url and exceptions(page) == []
    page.close()


def test_a_narrow_window_that_does_not_say_it_is_a_phone_keeps_chart_titles_clear(browser, server):
    """A window 390 px wide whose browser does not call itself a phone (a narrow desktop window, a phone that hides
    its kind) gets Plotly's tool bar hidden and its tabs kept on screen by the window's width alone: the bar had sat
    on every chart's title there ("Forward: varian▢e of z_l")."""
    page = browser.new_page(viewport=dict(width=390, height=844))
    page.goto(f"{server}/Signal_propagation")
    wait_for_app(page, charts=2)
    page.locator(".stPlotlyChart").first.hover()
    shown = "() => [...document.querySelectorAll('.modebar-container')].filter(m => m.offsetParent !== null).length"
    assert page.evaluate(shown) == 0
    tabs = page.get_by_role("tab").evaluate_all("tabs => tabs.map(t => t.getBoundingClientRect().right)")
    assert len(tabs) == 5 and max(tabs) <= 390, tabs
    wide = browser.new_page(viewport=dict(width=1280, height=800))  # a laptop keeps its tools
    wide.goto(f"{server}/Signal_propagation")
    wait_for_app(wide, charts=2)
    wide.locator(".stPlotlyChart").first.hover()
    assert wide.evaluate(shown) >= 1
    assert exceptions(page) == [] and exceptions(wide) == []
    page.close()
    wide.close()

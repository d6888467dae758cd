"""Order and chaos in a real browser: the σ_w² slider moves the point on the phase plane and into the address bar,
the link carries it to Signal propagation, and on a phone the colour bar sits over the plane, not on it."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

from tests.e2e.server import PHONE, exceptions, wait_for_app

PATH = "Order_and_chaos"
# Where the learner's point is drawn: x and y of the "your network" trace of the first chart, as Plotly holds them;
# null while there is no chart drawn. Streamlit names a chart by its figure as well as its key, so a rerun may take the
# old one away before Plotly has drawn the new one: a wait that read the gap as an error failed under load.
POINT = """() => { const chart = document.querySelector('.js-plotly-plot');
    return chart && chart._fullData ? chart._fullData.filter(t => t.name.startsWith('your network'))
                                           .map(t => [t.x[0], t.y[0]])[0] : null; }"""


def test_the_slider_moves_the_point_and_the_link_carries_it(browser, server):
    page = browser.new_page(viewport=dict(width=1280, height=800))
    page.goto(f"{server}/{PATH}")
    wait_for_app(page, charts=2)
    assert page.evaluate(POINT) == [1, 0] and exceptions(page) == []
    thumb = page.locator("[data-testid=stSlider]").filter(has_text="σ_w²").locator("input[type=range]")
    thumb.focus()
    for step in range(1, 7):  # six steps of 0.05, each a rerun with its own spectra
        started = time.perf_counter()
        thumb.press("ArrowRight")
        page.wait_for_function(f"(x) => {{ const p = ({POINT})(); return p && Math.abs(p[0] - x) < 1e-9; }}",
                               arg=1 + 0.05 * step, timeout=30_000)
        wait_for_app(page, charts=2)
        print(f"step {step}: {time.perf_counter() - started:.2f} s")  # shown with pytest -s
    assert parse_qs(urlparse(page.url).query)["sigma_w2"] == ["1.3"]
    page.get_by_role("link", name=re.compile("Watch σ_w² = 1.3 in Signal propagation")).click()
    wait_for_app(page, charts=2)
    assert page.locator("h1").first.inner_text().strip() == "Signal propagation"
    query = parse_qs(urlparse(page.url).query)
    assert query["scheme"] == ["Custom variance scaling"] and query["scale"] == ["1.3"]
    assert exceptions(page) == []
    page.close()


def test_on_a_phone_the_colour_bar_sits_over_the_plane(browser, server):
    page = browser.new_page(**PHONE)
    page.goto(f"{server}/{PATH}?activation=ReLU")
    wait_for_app(page, charts=2)
    chart = page.locator(".js-plotly-plot").first
    bar, plane = chart.locator(".colorbar").bounding_box(), chart.locator(".nsewdrag").first.bounding_box()
    assert bar["y"] + bar["height"] <= plane["y"] + 1 and bar["width"] >= 0.9 * plane["width"]
    assert plane["width"] >= 250  # most of the phone's width goes to the plane
    assert exceptions(page) == []
    page.close()

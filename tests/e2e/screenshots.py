"""Take a PNG of every page at desktop and phone width (the tour in docs/GUIDE.md and the README use the desktop ones).

    python -m tests.e2e.screenshots [out_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.server import PAGES, PHONE, ROOT, launch, streamlit_server, wait_for_app

DEVICES = {"desktop": dict(viewport=dict(width=1280, height=800)), "phone": PHONE}


def take(out: Path, devices=DEVICES, full_page: bool = False) -> list[Path]:
    """Screenshots of every page; ``full_page`` uses a tall window (Streamlit scrolls inside its own frame)."""
    out.mkdir(parents=True, exist_ok=True)
    if full_page:
        devices = {name: device | dict(viewport=dict(width=device["viewport"]["width"], height=3200))
                   for name, device in devices.items()}
    written = []
    with streamlit_server() as url, sync_playwright() as p:
        browser = launch(p)
        for view, device in devices.items():
            page = browser.new_page(**device)
            for name, (path, charts) in PAGES.items():
                page.goto(f"{url}/{path}")
                wait_for_app(page, charts=charts)
                target = out / f"{name}_{view}.png"
                page.screenshot(path=str(target))
                written.append(target)
            page.close()
        browser.close()
    return written


FILM = "Training_lab?activation=Tanh"  # every lesson in one film: copies, frozen layers, saturation, training


def film_strip(out: Path, shares=(0.0, 0.5, 1.0)) -> list[Path]:
    """The Training lab's film at the start, middle and end of its slider: a click on the slider's rail at each
    share of its length, then a picture of the film."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with streamlit_server() as url, sync_playwright() as p:
        page = launch(p).new_page(viewport=dict(width=1280, height=1000))
        page.goto(f"{url}/{FILM}")
        wait_for_app(page, charts=8)
        film = page.locator(".stPlotlyChart", has_text="epoch by epoch")
        film.scroll_into_view_if_needed()
        rail = film.locator(".slider-rail-rect").bounding_box()
        for share in shares:
            page.mouse.click(rail["x"] + 2 + share * (rail["width"] - 4), rail["y"] + rail["height"] / 2)
            page.wait_for_timeout(800)
            target = out / f"film_{round(100 * share)}.png"
            film.screenshot(path=str(target))
            written.append(target)
    return written


if __name__ == "__main__":
    full = "--full" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--full"]
    where = Path(args[0]) if args else ROOT / "docs" / "screenshots"
    for path in take(where, full_page=full) + film_strip(where):
        print(path)

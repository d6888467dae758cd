"""Take a PNG of every page at desktop and phone width (the README's tour uses the desktop ones).

    python -m tests.e2e.screenshots [out_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.server import PAGES, ROOT, launch, streamlit_server, wait_for_app

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def take(out: Path, viewports=VIEWPORTS, full_page: bool = False) -> list[Path]:
    """Screenshots of every page; ``full_page`` uses a tall window (Streamlit scrolls inside its own frame)."""
    out.mkdir(parents=True, exist_ok=True)
    if full_page:
        viewports = {name: (width, 3200) for name, (width, _) in viewports.items()}
    written = []
    with streamlit_server() as url, sync_playwright() as p:
        browser = launch(p)
        for view, (width, height) in viewports.items():
            page = browser.new_page(viewport=dict(width=width, height=height))
            for name, (path, charts) in PAGES.items():
                page.goto(f"{url}/{path}")
                wait_for_app(page, charts=charts)
                target = out / f"{name}_{view}.png"
                page.screenshot(path=str(target))
                written.append(target)
            page.close()
        browser.close()
    return written


if __name__ == "__main__":
    full = "--full" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--full"]
    for path in take(Path(args[0]) if args else ROOT / "docs" / "screenshots", full_page=full):
        print(path)

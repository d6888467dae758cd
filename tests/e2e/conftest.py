"""What every browser test module shares: one Chromium, and a server of its own whose console must end clean."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.server import launch, streamlit_server


class Calm:
    """A browser whose every page and context asks for reduced motion (unless a test says otherwise): Streamlit then
    leaves out its skeletons' endless pulse and its elements' entrance, which kept Chromium drawing frames while a
    page loads. The pages hold still sooner, and on CI's two cores a page load cost about a tenth less work.
    ``INITLAB_MOTION=1`` runs the browser tests with motion, as most learners see the app, to measure the two."""

    def __init__(self, browser):
        self._browser = browser

    def new_page(self, **options):
        return self._browser.new_page(**({"reduced_motion": "reduce"} | options))

    def new_context(self, **options):
        return self._browser.new_context(**({"reduced_motion": "reduce"} | options))

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium if os.environ.get("INITLAB_MOTION") else Calm(chromium)
        chromium.close()


@pytest.fixture(scope="module")
def server():
    """The server a module's tests share; after the last of them, its console must hold no traceback and no
    warning (a numpy overflow warning, say): the app explains inf and NaN on the page, not in the log."""
    with streamlit_server() as url:
        yield url
        output = url.output()
    assert not re.search(r"Traceback|Warning|Error|Exception", output), output

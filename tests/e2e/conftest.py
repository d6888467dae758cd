"""What every browser test module shares: one Chromium, and a server of its own whose console must end clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.server import launch, streamlit_server


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server():
    """The server a module's tests share; after the last of them, its console must hold no traceback and no
    warning (a numpy overflow warning, say): the app explains inf and NaN on the page, not in the log."""
    with streamlit_server() as url:
        yield url
        output = url.output()
    assert not re.search(r"Traceback|Warning|Error|Exception", output), output

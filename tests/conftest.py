import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# AppTest runs a page once and has no clock for a fragment that polls: the unit tests let a page wait for its
# jobs (the Training lab's runs) to the end. The browser tests run the server as it is served, where a page
# waits ui.jobs.PATIENCE and then polls.
import ui.jobs  # noqa: E402

ui.jobs.PATIENCE = 600


def pytest_collection_modifyitems(items):
    """The browser tests run on one of the two workers (``-n 2 --dist loadgroup``, pyproject.toml), one after
    another in their modules' order, as their shared server and browser need; the other worker takes the rest,
    which keep a core busy while the browser tests mostly wait for a page."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group("browser"))

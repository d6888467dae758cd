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
    """The browser tests run in two groups, one on each of the two workers (``-n 2 --dist loadgroup``,
    pyproject.toml), each group one test after another in its modules' order with a server and a browser of its own;
    the rest fill in around them. Alternate tests of the long browser module go to each group, the smaller modules
    (their own servers, the failover's cluster) to the second whole. On one worker, the browser tests alone took
    about 16 minutes of CI's 17, while the other worker ran out of work after 11."""
    browser = [item for item in items if "e2e" in item.path.parts]
    half = {item: k % 2 for k, item in enumerate(i for i in browser if i.path.name == "test_browser.py")}
    for item in browser:
        item.add_marker(pytest.mark.xdist_group(f"browser-{half.get(item, 1)}"))

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# AppTest runs a page once and has no clock for a fragment that polls: the unit tests let a page wait for its
# jobs (the Training lab's runs) to the end. The browser tests run the server as it is served, where a page
# waits ui.jobs.PATIENCE and then polls.
import ui.jobs  # noqa: E402

ui.jobs.PATIENCE = 600

"""What the server does once, as it starts: a head start on the first page a class opens.

A browser opening a link to a server that has just started spends about a second loading Streamlit's own
scripts before it asks for the page. Until then the server idles; then the page's first run imports pandas, the
engine and the figures (about 0.3 s alone, 0.7 to 1 s beside a browser drawing on the same cores) and makes the
engine's first call. ``lifespan``, the start-up hook ``app.py`` gives its ``st.App``, does that in a background
thread during that second instead, and serves at once:

* ``warm_up`` imports every module of the project the pages import (``lesson_modules``), the engine first;
* then it computes the Signal propagation page's first view at its default settings (``DEFAULT_VIEW``), through
  the same shared caches the page reads (``ui.cached``), so that a link to it is a cache hit, and a link to
  any other view finds the compute threads, the draw threads and BLAS started.

Nothing else is computed ahead: a view nobody asked for would cost a class server for nothing. Should the
warm-up fail, the page that needs the same work does it again, and says what went wrong.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import logging
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREAD = "initlab-warm-up"
# The Signal propagation page's view before any control is touched: its network, as the page passes it to
# ``ui.lessons.propagation_curves``, and its one scheme with that scheme's parameters.
DEFAULT_VIEW = (dict(depth=50, width=256, activation="tanh", seed=0), {"xavier_normal": {}})


def lesson_modules() -> list[str]:
    """The project's modules that the home page and the pages import at their top (``initcore``, ``ui.charts``,
    …), the engine's first: the order in which a page imports them, so that the page's own first run, should it
    start meanwhile, waits on the same imports instead of crossing them."""
    names = []
    for page in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(page.read_text())):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names += [f"{node.module}.{alias.name}" if node.module == "ui" else node.module
                          for alias in node.names]
    ours = {name for name in names if name.split(".")[0] in ("initcore", "ui") and name != "ui.startup"}
    return sorted(ours, key=lambda name: (not name.startswith("initcore"), name))


def warm_default_view() -> None:
    """The Signal propagation page's default view, computed into the shared caches as the page asks for it."""
    from initcore.propagation import view_batch
    from ui import lessons

    network, schemes = DEFAULT_VIEW
    lessons.propagation_curves(network | dict(batch=view_batch(network["width"])), schemes)


def warm_up() -> None:
    """Import what the pages import, then compute the default view: in the order a first visitor needs them."""
    try:
        for name in lesson_modules():
            importlib.import_module(name)
        warm_default_view()
    except Exception:  # only a head start: the page does the same work again, and reports its failure
        logging.getLogger(__name__).exception("Warming the server up failed")


class _NoPageHere(logging.Filter):
    """Streamlit warns that a thread outside any page run has no page to show a cache's spinner in; the warm-up
    has none by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


@contextlib.asynccontextmanager
async def lifespan(_app):
    """``st.App``'s start-up hook: start ``warm_up`` in the background and serve at once (the health check and the
    first page never wait for it)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoPageHere())
    threading.Thread(target=warm_up, name=THREAD, daemon=True).start()
    yield

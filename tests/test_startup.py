"""The server's start: `streamlit run app.py` finds a server with a start-up hook in app.py, the hook serves at
once and warms up in the background, and the warm-up computes the default view only, exactly as the page asks
for it."""

import asyncio
import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.web.server.app_discovery import discover_asgi_app

import initcore
from ui import cached, startup

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_run_finds_the_server_that_app_py_declares():
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


def test_the_warm_up_imports_what_the_pages_import_engine_first():
    modules = startup.lesson_modules()
    assert modules[0] == "initcore"
    assert {"initcore.propagation", "ui.cached", "ui.charts", "ui.controls", "ui.lessons", "ui.nav"} <= set(modules)
    assert all(name.split(".")[0] in ("initcore", "ui") for name in modules)


def test_the_start_up_hook_serves_at_once_and_warms_up_in_the_background(monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow_warm_up():
        started.set()
        release.wait(10)

    monkeypatch.setattr(startup, "warm_up", slow_warm_up)

    async def serve():
        async with startup.lifespan(None):
            return started.wait(10)  # inside: serving, while the warm-up has not finished

    try:
        assert asyncio.run(serve())
    finally:
        release.set()


def test_the_warm_up_makes_the_default_view_a_cache_hit_and_computes_nothing_else(monkeypatch):
    """If the page's defaults or the way it calls the engine change, ``startup.DEFAULT_VIEW`` must follow."""
    cached.simulate.clear()
    cached.simulate_many.clear()
    cached.predicted_network.clear()
    calls, simulate = [], initcore.simulate

    def counted(**settings):
        calls.append(settings)
        return simulate(**settings)

    monkeypatch.setattr(initcore, "simulate", counted)
    startup.warm_up()
    network, schemes = startup.DEFAULT_VIEW
    assert [(c["depth"], c["width"], c["activation"], c["scheme"]) for c in calls] == \
           [(network["depth"], network["width"], network["activation"], *schemes)]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # the home page computes its own
    at.switch_page("pages/2_Signal_propagation.py")
    calls.clear()
    at.run()
    assert not at.exception
    assert not calls, "the page's default view was not the one the warm-up computed"
    assert at.get("plotly_chart")

"""A lecture hall in a real browser: Chromium through HAProxy in front of two replicas (`deploy/local_cluster.py`).

The pages spread over both replicas and every download reaches the replica that made it; a replica killed under
an open page costs it a reconnect, never its view; and the cluster stops, leaving nothing behind.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.e2e.cluster import group_alive, kill_and_time_rebuild, local_cluster, serving_replica
from tests.e2e.server import PAGES, exceptions, wait_for_app

# A lesson with settings in its address, on the tab that offers its table as CSV.
LESSON = "Signal_propagation?depth=12&width=64&activation=relu&scheme=he_normal&seed=3&view=Table"


@pytest.fixture(scope="module")
def cluster():
    with local_cluster(replicas=2) as running:
        yield running


def download_csv(page) -> str:
    with page.expect_download(timeout=10_000) as download:
        page.get_by_role("button", name="Download CSV").click()
    return Path(download.value.path()).read_text()


def settings(page) -> dict[str, str]:
    return {label: page.locator("[data-testid=stSlider]").filter(has_text=label).locator("input[type=range]")
            .input_value() for label in ("Depth", "Width")}


def test_browsers_spread_over_the_replicas_and_each_downloads_from_its_own(browser, cluster):
    """Four learners, side by side: the balancer sends them to both replicas, between them they open every page,
    and each one's download works (it is served by the replica that ran the session)."""
    contexts = [browser.new_context(viewport=dict(width=1280, height=900)) for _ in range(4)]
    pages = [context.new_page() for context in contexts]
    others = [(path, charts) for name, (path, charts) in PAGES.items() if name != "signal_propagation"]
    tours = [[*others[k::len(pages)], (f"Signal_propagation?depth={10 + k}&width=32&view=Table", 1)]
             for k in range(len(pages))]
    for stop in range(max(map(len, tours))):
        visits = [(page, tour[stop]) for page, tour in zip(pages, tours) if stop < len(tour)]
        for page, (path, _) in visits:  # all asked at once, as a class does
            page.goto(f"{cluster.url}/{path}", wait_until="commit")
        for page, (path, charts) in visits:
            wait_for_app(page, charts=charts)
            assert exceptions(page) == [], path
    assert all(download_csv(page).startswith("layer,") for page in pages)
    assert {serving_replica(context) for context in contexts} == set(cluster.replicas)
    for context in contexts:
        context.close()


def test_a_page_whose_replica_is_killed_is_rebuilt_by_the_other_and_the_cluster_stops_cleanly(browser, cluster):
    context = browser.new_context(viewport=dict(width=1280, height=900))
    page = context.new_page()
    page.goto(f"{cluster.url}/{LESSON}")
    wait_for_app(page, charts=1)
    address, shown, table = page.url, settings(page), download_csv(page)
    served = serving_replica(context)

    # Nothing is done on the page: the other replica rebuilds it, with the same settings, charts and download.
    assert kill_and_time_rebuild(page, cluster, served) <= 15
    wait_for_app(page, charts=1)
    assert serving_replica(context) != served
    assert (page.url, settings(page), exceptions(page)) == (address, shown, [])
    assert page.locator("[data-testid=stPlotlyChart] .js-plotly-plot").count() >= 1
    assert download_csv(page) == table

    # The next step works, and the cluster keeps serving newcomers.
    page.locator("[data-testid=stSlider]").filter(has_text="Depth").locator("input[type=range]").press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('depth=11')", timeout=15_000)
    wait_for_app(page, charts=1)
    assert settings(page)["Depth"] == "11" and exceptions(page) == []
    newcomer = browser.new_page()
    newcomer.goto(cluster.url)
    wait_for_app(newcomer, charts=1)
    newcomer.close()
    context.close()

    assert cluster.stop(timeout=10) <= 10 and cluster.launcher.returncode == 0, cluster.stderr()
    assert not group_alive(cluster.launcher.pid), "a process the cluster started is still running"
    for port in cluster.ports():
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} is still open"

"""Times the engine inside the app server that ``bench_browser.py`` starts with this folder on its PYTHONPATH
(Python imports this module as the interpreter starts): each network ``initcore.simulate`` runs appends a
line "depth width milliseconds" to the file named by ``INITLAB_ENGINE_TIMES``.

Measured there, the computation is timed as it runs when a student moves a slider: on the server's compute
threads, sharing the machine with whatever else the server does, and here with the browser too.
"""

import functools
import os
import time

import initcore

_simulate = initcore.simulate


@functools.wraps(_simulate)
def _timed_simulate(**settings):
    start = time.perf_counter()
    try:
        return _simulate(**settings)
    finally:
        elapsed = (time.perf_counter() - start) * 1e3
        with open(os.environ["INITLAB_ENGINE_TIMES"], "a") as times:
            times.write(f"{settings['depth']} {settings['width']} {elapsed:.1f}\n")


initcore.simulate = _timed_simulate

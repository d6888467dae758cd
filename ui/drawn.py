"""Charts and sentences drawn once for a whole class.

A chart is a function of the numbers it shows and nothing else. Thirty students on one link get the same
numbers from the caches (``ui.cached``, ``ui.jobs``), and every rerun of every session built the same figures
again and turned them into JSON again: with a class on one link, most of the server's time went there. ``once``
keeps what a builder returns, looked up by a fingerprint of its arguments' contents (``fingerprint``), so the
same numbers are drawn once; and a figure makes what it sends once (``ui.figure.PlainFigure.spec``), so a kept
figure costs a session only its sending. ``ui.cached`` keeps its simulations here too, so that sessions share
one object instead of each unpickling its own copy from ``st.cache_data``.

What a kept builder returns is shared: nobody changes it after it is returned (a test checks that pages don't).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np
import pandas as pd

KEPT = 16  # results kept per builder: a class's views of the moment (a 100-layer heatmap takes 0.4 MB)
FILMS_KEPT = 8  # the film of a 30-layer lab takes 3.7 MB with its spec


class Unfingerprintable(TypeError):
    """An argument whose contents ``fingerprint`` cannot read: the builder is called as it is."""


def fingerprint(value) -> bytes:
    """A digest of ``value``'s contents: equal for equal numbers (arrays by dtype, shape and bytes; tables by
    their columns, index and values), different where a number, a name or a type differs."""
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, value)
    return digest.digest()


def _feed(digest, value) -> None:
    if value is None or isinstance(value, (bool, int, float, str, bytes, complex, np.generic)):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, np.ndarray):
        digest.update(f"array:{value.dtype.str}:{value.shape};".encode())
        digest.update(np.ascontiguousarray(value).view(np.uint8) if value.dtype != object else repr(value.tolist())
                      .encode())
    elif isinstance(value, (pd.DataFrame, pd.Series)):
        digest.update(f"{type(value).__name__}:{list(value.axes)!r};".encode())
        try:
            hashed = pd.util.hash_pandas_object(value, index=True)
        except TypeError as error:  # a cell pandas cannot hash (a list, say)
            raise Unfingerprintable(type(value).__name__) from error
        digest.update(hashed.to_numpy().view(np.uint8))
    elif isinstance(value, dict):
        digest.update(f"dict:{len(value)};".encode())
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}:{len(value)};".encode())
        for item in value:
            _feed(digest, item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"{type(value).__qualname__}:".encode())
        digest.update(_dataclass_fingerprint(value))
    else:
        raise Unfingerprintable(type(value).__name__)


def _dataclass_fingerprint(value) -> bytes:
    """The fingerprint of a dataclass's fields. A frozen one is taken as settled all the way down (nothing in the
    app changes a snapshot's arrays) and keeps its fingerprint on itself: a lab's 164 snapshots, shared by
    every session through ``ui.jobs``, are read once, not at each rerun (15 ms)."""
    kept = getattr(value, "__dict__", None) if value.__dataclass_params__.frozen else None
    if kept is not None and _FINGERPRINT in kept:
        return kept[_FINGERPRINT]
    made = fingerprint([getattr(value, field.name) for field in dataclasses.fields(value)])
    if kept is not None:
        kept[_FINGERPRINT] = made
    return made


_FINGERPRINT = "_initlab_fingerprint"


def once(build: Callable | None = None, *, kept: int = KEPT) -> Callable:
    """``build``, with what it returns kept for the last ``kept`` distinct arguments (by ``fingerprint``) and
    shared by every session of the server. A class that asks at the same moment waits for the one session that
    builds it, as ``st.cache_data`` does; if that build fails, each builds it for itself. Arguments it cannot
    fingerprint call ``build`` each time.
    ``@once`` or ``@once(kept=n)``."""
    if build is None:
        return functools.partial(once, kept=kept)
    results: OrderedDict[bytes, Future] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(build)
    def kept_build(*args, **kwargs):
        try:
            key = fingerprint((args, sorted(kwargs.items())))
        except Unfingerprintable:
            return build(*args, **kwargs)
        with lock:
            made = results.get(key)
            builds = made is None
            if builds:
                made = results[key] = Future()
            results.move_to_end(key)
            while len(results) > kept:
                results.popitem(last=False)
        if builds:
            try:
                made.set_result(build(*args, **kwargs))
            except BaseException as error:  # kept for no one: the next call builds again
                made.set_exception(error)
                with lock:
                    if results.get(key) is made:
                        del results[key]
                raise
            return made.result()
        try:
            return made.result()
        except BaseException:  # the session that built it failed, or was stopped: that is its own, not ours
            return build(*args, **kwargs)

    def clear() -> None:
        """Forget every kept result, and what the builder keeps itself if it is a cache (``st.cache_data``)."""
        with lock:
            results.clear()
        if hasattr(build, "clear"):
            build.clear()

    kept_build.results, kept_build.clear = results, clear
    return kept_build

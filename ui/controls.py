"""Controls bound to the URL, so that every view is a shareable link.

Each control is a Streamlit widget with ``key=<url name>`` and ``bind="query-params"``. Before the widget
exists we read the raw URL value once per session: a number out of range is clamped, anything the widget
cannot take falls back to the default, and both say so in a visible note. (Streamlit would silently drop
some bad values and fail on others, e.g. 1e400 for an integer.) Choices appear in the URL by their label,
as Streamlit writes them; a hand-written link may use the stable id instead (``?scheme=he_normal``): the view
follows, though Streamlit then drops the id from the address bar. Links the app makes (``link``) use labels.
URL values are only compared with known options or parsed as numbers: never evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import streamlit as st

import initcore

STD_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 1.0, 3.0)


def _raw(key: str):
    """The URL's value for ``key`` on a session's first run (afterwards the widget owns it)."""
    if key in st.session_state:
        return None
    return st.query_params.get(key)


def _carry(key: str, fits, fix) -> None:
    """Lessons share control names (depth, width, scheme…), and a value follows the learner from one lesson
    to the next. Where this lesson's range is narrower, ``fix`` brings the value into it, and we say so."""
    if key in st.session_state and not fits(st.session_state[key]):
        before = st.session_state[key]
        st.session_state[key] = fix(before)
        st.caption(f"{key} = {before} is outside this lesson's range; using {st.session_state[key]}.")


def _note(message: str) -> None:
    st.warning(message, icon=":material/link:")


def _as_number(raw: str) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _fall_back(key: str, default, message: str) -> None:
    st.session_state[key] = default
    _note(message)


def slider(label: str, key: str, low: int, high: int, default: int, *, step: int = 1, help: str | None = None):
    """An integer slider; a URL value out of range is clamped (with a note), a non-number ignored."""
    raw = _raw(key)
    if raw is not None:
        value = _as_number(raw)
        if value is None:
            _fall_back(key, default, f"Link value {key}={raw[:40]!r} is not a number; using {default}.")
        elif not low <= value <= high:
            clamped = int(min(max(round(value), low), high))
            st.session_state[key] = clamped
            _note(f"Link value {key}={raw[:40]} is outside {low}–{high}; using {clamped}.")
        elif value != int(value):
            _note(f"Link value {key}={raw[:40]} is not a whole number; using {int(value)}.")
    # In range, Streamlit's binding takes a link's value over anything set here: the whole part of a fraction
    # (77.5 → 77), an off-step value as it is (epochs=55 on a step of 10). A value carried from another lesson
    # is put back on the steps.
    _carry(key, lambda v: low <= v <= high and (v - low) % step == 0,
           lambda v: int(min(max(low + step * round((v - low) / step), low), high)))
    return st.slider(label, low, high, default, step=step, key=key, bind="query-params", help=help)


def number(label: str, key: str, low: float, high: float, default: float, *, help: str | None = None,
           fmt: str = "%.4g", whole: bool = False):
    """A number input; out-of-range URL values are clamped (and rounded if ``whole``), others ignored, with a note."""
    raw = _raw(key)
    if raw is not None:
        value = _as_number(raw)
        if value is None:
            _fall_back(key, default, f"Link value {key}={raw[:40]!r} is not a finite number; using {default:g}.")
        elif not low <= value <= high or (whole and value != round(value)):
            clamped = float(min(max(round(value) if whole else value, low), high))
            st.session_state[key] = type(default)(clamped)
            _note(f"Link value {key}={raw[:40]} is not allowed ({low:g}–{high:g}); using {clamped:g}.")
    _carry(key, lambda v: low <= v <= high, lambda v: type(default)(min(max(v, low), high)))
    return st.number_input(label, low, high, default, key=key, bind="query-params", help=help, format=fmt)


def choice(label: str, key: str, options: Mapping[str, str], default: str, *, help: str | None = None,
           horizontal: bool = False):
    """Pick one id from ``options`` (id → label); an unknown id in the URL falls back to ``default``."""
    raw = _raw(key)
    if raw in options:
        st.session_state[key] = raw
    elif raw is not None and raw not in options.values():
        _fall_back(key, default, f"Link value {key}={raw[:40]!r} is not one of the choices; using {options[default]}.")
    _carry(key, lambda v: v in options, lambda v: default)
    ids = list(options)
    if horizontal:
        return st.segmented_control(label, ids, default=default, format_func=options.get, key=key,
                                    bind="query-params", help=help, required=True)
    return st.selectbox(label, ids, index=ids.index(default), format_func=options.get, key=key,
                        bind="query-params", help=help)


def value_choice(label: str, key: str, values: Sequence[float], default: float, *, help: str | None = None):
    """A slider over a fixed ladder of values (σ, learning rate); an off-ladder URL value snaps to the nearest."""
    raw = _raw(key)
    if raw is not None:
        value = _as_number(raw)
        if value is None or value <= 0:
            _fall_back(key, default, f"Link value {key}={raw[:40]!r} is not a positive number; using {default:g}.")
        elif value not in values:
            nearest = min(values, key=lambda v: abs(math.log(v / value)))
            st.session_state[key] = nearest
            _note(f"Link value {key}={raw[:40]} is not on the scale; using the nearest, {nearest:g}.")
    _carry(key, lambda v: v in values, lambda v: min(values, key=lambda x: abs(math.log(x / v))) if v > 0 else default)
    return st.select_slider(label, options=list(values), value=default, key=key, bind="query-params", help=help,
                            format_func=lambda v: f"{v:g}")


def several(label: str, key: str, options: Mapping[str, str], default: Sequence[str], *, help: str | None = None):
    """Pick several ids; unknown ids in the URL are dropped, with a note."""
    raw = st.query_params.get_all(key) if key not in st.session_state else []
    by_label = {label: option for option, label in options.items()}
    known = [r if r in options else by_label[r] for r in raw if r in options or r in by_label]
    if raw:
        st.session_state[key] = list(dict.fromkeys(known))
    if len(known) < len(raw):
        unknown = [r[:40] for r in raw if r not in options and r not in by_label]
        _note(f"Link values {key}={', '.join(unknown)} are not choices here; left out.")
    _carry(key, lambda v: all(item in options for item in v), lambda v: [item for item in v if item in options])
    return st.multiselect(label, list(options), default=list(default), format_func=options.get, key=key,
                          bind="query-params", help=help)


SCHEME_OPTIONS = {s: scheme.label for s, scheme in initcore.SCHEMES.items()}
ACTIVATION_OPTIONS = {a: act.label for a, act in initcore.ACTIVATIONS.items()}
DATASET_OPTIONS = {d: d.capitalize() for d in initcore.DATASETS}
FAN_OPTIONS = {"fan_in": "fan-in", "fan_out": "fan-out", "fan_avg": "average"}
DISTRIBUTION_OPTIONS = {"normal": "normal", "uniform": "uniform", "truncated_normal": "truncated normal"}
# The choices of each URL name, in every lesson that has it.
CHOICES = {"activation": ACTIVATION_OPTIONS, "scheme": SCHEME_OPTIONS, "compare": SCHEME_OPTIONS,
           "schemes": SCHEME_OPTIONS, "dataset": DATASET_OPTIONS, "mode": FAN_OPTIONS,
           "distribution": DISTRIBUTION_OPTIONS}


def link(settings: Mapping[str, object]) -> dict[str, str | list[str]]:
    """``settings`` (ids and numbers) as a link's query parameters, written as the bound widgets write them:
    choices by label, numbers plainly, a list as one repeated name per item. Streamlit then keeps them in the
    address bar. (An id sets the view too, but Streamlit drops it from the URL, and so from a copied link and
    from the next lesson.)"""
    def text(name: str, value) -> str:
        if name in CHOICES:
            return CHOICES[name][value]
        return f"{value:g}" if isinstance(value, float) else str(value)

    return {name: [text(name, v) for v in value] if isinstance(value, list) else text(name, value)
            for name, value in settings.items()}


def scheme_params(scheme: str) -> dict:
    """The tunable parameters of ``scheme`` (σ, constant value, gain, or the three variance-scaling knobs)."""
    params = initcore.SCHEMES[scheme].params
    chosen = {}
    if "std" in params:
        chosen["std"] = value_choice("σ (standard deviation)", "std", STD_CHOICES, params["std"].default,
                                     help="N(0, σ²): the source document's N(0, 0.01) is read as σ = 0.01.")
    if "value" in params:
        chosen["value"] = number("Constant value", "value", -10.0, 10.0, 0.5)
    if "gain" in params:
        chosen["gain"] = number("Gain", "gain", 0.01, 10.0, 1.0, help="W = gain · Q with Q orthonormal.")
    if "scale" in params:
        chosen["scale"] = number("Scale", "scale", 0.001, 100.0, 1.0, help="Var(W) = scale / fan")
        chosen["mode"] = choice("Fan", "mode", FAN_OPTIONS, "fan_in", horizontal=True)
        chosen["distribution"] = choice("Distribution", "distribution", DISTRIBUTION_OPTIONS, "normal",
                                        horizontal=True)
    return chosen


def seed(default: int = 0) -> int:
    # A float input shown without decimals: Streamlit's URL binding of an *integer* input fails on 1e400.
    return int(number("Random seed", "seed", 0.0, 2.0**31 - 1, float(default), fmt="%.0f", whole=True,
                      help="Same seed, same draws: switching scheme only rescales them."))

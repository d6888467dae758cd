"""Controls bound to the URL, so that every view is a shareable link.

Each control is a Streamlit widget with ``key=<url name>`` and ``bind="query-params"``. Before the widget
exists we read the raw URL value once per session: a number out of range is clamped, a fraction where a
whole number belongs is rounded, anything the widget cannot take falls back to the default, and each says
so in a note beside the control until the learner moves it. (Streamlit would silently drop some bad values
and fail on others, e.g. 1e400 for an integer.) Choices appear in the URL by their label, as Streamlit
writes them; a hand-written link may use the stable id instead (``?scheme=he_normal``).

A corrected value, or an id, goes back into the URL before its widget reads it, and the page starts again
(one short run per corrected control, once per session): the widget then takes it as it takes any link's
value, so the address bar holds what the page shows and a copied link reproduces it with nothing to correct.
URL values are only compared with known options or parsed as numbers: never evaluated.
"""

from __future__ import annotations

import contextlib
import math
import pathlib
import re
import time
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

import initcore
from ui import deep, theme

STD_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 1.0, 3.0)

_SCHEMES = {s: scheme.label for s, scheme in initcore.SCHEMES.items()}
# Each URL name that holds a choice: its options, id → label, in every lesson that has it. Links write labels.
CHOICES = {
    "activation": {a: activation.label for a, activation in initcore.ACTIVATIONS.items()},
    "scheme": _SCHEMES, "compare": _SCHEMES, "schemes": _SCHEMES,
    "dataset": {d: d.capitalize() for d in initcore.DATASETS},
    "mode": {"fan_in": "fan-in", "fan_out": "fan-out", "fan_avg": "average"},
    "distribution": {"normal": "normal", "uniform": "uniform", "truncated_normal": "truncated normal"},
    "film": {"weights": "weights", "activations": "activations", "gradients": "gradients"},
    "conv": {"1d": "1-D", "2d": "2-D"},  # a convolution's dimensions: a kernel of k, or of k×k
    "shape": deep.SHAPES,
    "residual": {key: label for key, (label, _) in deep.RESIDUALS.items()},
    "norm": deep.NORMS,
}


_CORRECTED = "_link_corrections"  # session state: {url name: (the value the control takes, note or None, lesson,
# the note's icon: a link's, or a typed value's)}
_DEFAULTS = "_lesson_defaults"  # session state: {url name: its default in the lesson that last showed it}
_LESSON = "_lesson"  # session state: the page of the last run
_ARRIVED = "_arrived"  # session state: a lesson was just come to, until its classics' box has seen it (``arrived``)
_ENTERED = "_entered"  # session state: this run is the first of the lesson's since the learner came to it
_PAGE_DEFAULTS = "_page_defaults"  # session state: {page: {url name: default}} of every control a page has shown
_CHOSEN = "_chosen"  # session state: {url name: the value the learner chose}, kept while a lesson shows another
_FIXED = "_fixed"  # session state: {url name: the value a lesson's narrower range put in place of the chosen one}


def enter(page: str) -> None:
    """Called first on every page (by ``ui.nav.sidebar``). On the first run after the learner comes to a lesson
    (a link, the sidebar, Back), a value in the address bar wins over one carried from the lesson they left:
    a classic's link opens CS231n's tanh network even after the learner picked ReLU elsewhere."""
    st.session_state[_READ] = set()
    if st.session_state.get(_LESSON) == page:
        st.session_state.pop(_ENTERED, None)
        return
    st.session_state[_LESSON] = page
    st.session_state[_ARRIVED] = st.session_state[_ENTERED] = True
    asked = _asked()
    for key in asked:
        if not key.startswith("_"):  # a link cannot reach the app's own bookkeeping
            st.session_state.pop(key, None)
            st.session_state.get(_CHOSEN, {}).pop(key, None)
    dropped = {key: values for key, values in asked.items() if key not in st.query_params}
    if dropped:  # Streamlit left them out: back into the address, where this page's controls read them
        for key, values in dropped.items():
            st.query_params[key] = values
        st.rerun()


def arrived() -> bool:
    """Whether this is the page's first run since the learner came to it (a link, the sidebar, Back), before any of
    its controls is drawn; asked once, by the page's classics (``ui.presets.Selector``)."""
    return st.session_state.pop(_ARRIVED, False)


def _asked() -> dict[str, list[str]]:
    """The query parameters of the address this run was asked for. At a change of page Streamlit leaves out,
    from ``st.query_params``, the values of controls another page drew last (depth, activation…, which several
    lessons share), so Back to a lesson would open it on the values of the lesson left; on Back and Forward
    the address the browser sent still has them, and those are taken."""
    ctx = get_script_run_ctx()
    back = ctx is not None and ctx.is_history_navigation  # Back or Forward: the address of a view once seen
    sent = parse_qs(ctx.query_string, keep_blank_values=True) if back else {}
    return {key: st.query_params.get_all(key) for key in st.query_params} | sent


def _raw(key: str, *, every: bool = False):
    """The URL's value for ``key`` (with ``every``, the list of its values) while the control has no value yet
    (a session's first run, or a lesson just reached by a link: ``enter``), unless it has been corrected
    already: afterwards the widget owns it. Each control is corrected at most once, so the reruns that
    corrections start always end.

    A link that gives a control of one value several (``depth=3&depth=7``) keeps its last one only, and the page
    starts again, where the control reads it like any link's value, with a note: Streamlit's binding would drop
    them all and show the default."""
    read(key)
    if key in st.session_state or key in st.session_state.get(_CORRECTED, {}):
        return [] if every else None
    values = st.query_params.get_all(key)
    if every:
        return values
    if len(values) > 1:
        st.session_state.setdefault(_REPEATED, {})[key] = (
            f"Link gives {literal(key)} {len(values)} values ({', '.join(literal(v[:20]) for v in values[:4])}"
            f"{', …' if len(values) > 4 else ''}); using the last.")
        st.query_params[key] = values[-1]
        st.rerun()
    return values[-1] if values else None


_REPEATED = "_link_repeats"  # session state: {url name: the note on a link's several values for one control}
_READ = "_link_names_read"  # session state: the URL names this run of the page has looked for (``leave_out_unread``)
_EVER_READ = "_link_names_ever_read"  # session state: the URL names any run of this session has looked for


def read(key: str) -> None:
    """Note that this run of the page looked for the URL name ``key`` (every control does; ``leave_out_unread``)."""
    st.session_state.setdefault(_READ, set()).add(key)
    st.session_state.setdefault(_EVER_READ, set()).add(key)


def leave_out_unread() -> None:
    """Called last on every page: a link's names that nothing on the page looked for (a typo, ``dept=30``, or a
    setting another lesson or another scheme has) are taken out of the address, which would pass them on with
    every copy of the link, and a note, naming the lesson, says so until it is closed."""
    looked_for, ever = st.session_state.get(_READ, set()), st.session_state.get(_EVER_READ, set())
    unread = {key: st.query_params.get_all(key) for key in st.query_params  # a control of a run before, not drawn
              if key not in looked_for and not (key in ever and key in st.session_state)}  # in this one: Streamlit's
    if not unread:
        return
    for key in unread:
        del st.query_params[key]
    pairs = [f"{_cut(key)}={_cut(value)}" for key, values in unread.items() for value in values or [""]]
    named, one = ", ".join(pairs), len(pairs) == 1  # each value of a name given twice (dept=30&dept=40)
    st.toast(f"This link's {named} {'is not a setting' if one else 'are not settings'} of "
             f"{lesson_name(st.session_state.get(_LESSON, 'app.py'))}, as it now stands; "
             f"{'it was' if one else 'they were'} left out of the address.", icon=LINKED, duration="infinite")


def lesson_name(page: str) -> str:
    """The lesson of ``page`` (a page's file) as a note names it: "Signal propagation" for
    pages/2_Signal_propagation.py, "the home page" for app.py. A note that stays on screen until it is closed names
    its lesson, so that it still holds where the learner has gone on to another."""
    stem = pathlib.PurePath(page).stem
    return "the home page" if stem == "app" else stem.split("_", 1)[1].replace("_", " ")


def _lesson_default(key: str, default) -> None:
    """Note ``key``'s default in this lesson, for ``reset``."""
    st.session_state.setdefault(_PAGE_DEFAULTS, {}).setdefault(st.session_state.get(_LESSON), {})[key] = default


def _carry(key: str, default, fits, fix) -> None:
    """Lessons share control names (depth, width, scheme…), and a value the learner chose follows them from one
    lesson to the next and back. Where this lesson's range is narrower, ``fix`` brings the value into it, and we
    say so; the chosen value is kept, so a depth of 100 clamped to the lab's 30 is 100 again back in Signal
    propagation.

    A value left at a lesson's default is no choice and does not follow: each lesson opens on its own defaults
    (Symmetry on constant weights, not on the Xavier weights Signal propagation starts from), and a choice
    that equals the next lesson's default (ReLU, in the lab) stays a choice. The same holds within a lesson whose
    control changes its default: σ left at Small random's 0.01 is not Large random's. Called before the URL is
    read, so a link's value for a control dropped here is checked like any other.
    """
    state = st.session_state
    _lesson_default(key, default)
    defaults, chosen, fixed = (state.setdefault(name, {}) for name in (_DEFAULTS, _CHOSEN, _FIXED))
    last_default, defaults[key] = defaults.get(key, default), default
    moved = key in state and (key not in chosen or state[key] != chosen[key])  # by the learner, a link or a classic
    if moved and (key not in fixed or state[key] != fixed[key]):  # not the value a narrower lesson put in
        fixed.pop(key, None)
        if state[key] == last_default:  # left at (or moved back to) the default: no choice
            chosen.pop(key, None)
        else:
            chosen[key] = state[key]
    if key not in chosen:
        if key in state and state[key] != default:  # carried from elsewhere, or a default that changed: this one,
            # set, not deleted: the browser keeps a widget's value unless told the new one, and would send the old
            # one back at the next move (σ at Small random's 0.01 under Large random).
            state[key] = default
        return
    wanted = chosen[key]
    if fits(wanted):
        # Set where it differs (a value set here overrides what the browser sends), and in a lesson's first run,
        # where its control is another widget than the last lesson's (another range): it would start at its default.
        if state.get(key) != wanted or state.get(_ENTERED):
            state[key] = wanted
        fixed.pop(key, None)
        _into_address(key, wanted, default)
        return
    # Said at every run until the learner moves the control: said once, it was gone at the next run, which a lab
    # that cuts its epochs to its budget starts at once.
    st.caption(f"{key} = {_written(key, wanted)} is outside this lesson's range; using {_written(key, fix(wanted))}.")
    if state.get(key) != fix(wanted) or state.get(_ENTERED):
        state[key] = fix(wanted)
    fixed[key] = fix(wanted)
    _into_address(key, fix(wanted), default)


def _into_address(key: str, value, default) -> None:
    """Put a value carried into this lesson in its address, so that the address opens what the page shows. A control
    that the lesson draws for the first time would otherwise read the address's silence as its default (a depth
    of 20 from a link to Signal propagation opened the lab at 5), or take the value while the address left it out
    (100, put at the lab's 30, with a bare address that opens at 5). One drawn last run writes its value itself."""
    text = link({key: value})[key]
    if value != default and st.query_params.get_all(key) != (text if isinstance(text, list) else [text]):
        with contextlib.suppress(StreamlitAPIException):  # drawn last run, so bound: it writes its value itself
            st.query_params[key] = text


def reset(settings: Mapping[str, object]) -> None:
    """Set this page's controls to ``settings`` and every other control it has to its default: a view set as a
    whole (a classic), with nothing left over from the one before. Call from a widget's callback."""
    defaults = st.session_state.get(_PAGE_DEFAULTS, {}).get(st.session_state.get(_LESSON), {})
    st.session_state.update({key: default for key, default in defaults.items() if key not in settings})
    change(settings)


def reset_lesson() -> None:
    """Callback of 'Reset this lesson': every control of this lesson at its default, no classic chosen, no note
    left; the address bar keeps nothing (bound controls at their defaults leave it, and a link's own values go)."""
    reset({})
    if "preset" in st.session_state:
        st.session_state["preset"] = ""
    st.session_state.pop(_CORRECTED, None)
    for key in _LINK_ONLY:
        st.query_params.pop(key, None)


_LINK_ONLY = set()  # the URL names of the values only a link sets (``link_only``)
_PLACED = "_link_views"  # session state: {url name: the view a link's value of it was given for} (``link_only``)


def _kept_for(key: str, view: object) -> None:
    """Take ``key`` out of the address where its value was given for another view than ``view``."""
    views = st.session_state.setdefault(_PLACED, {})
    if key not in st.query_params:
        views.pop(key, None)
    elif views.setdefault(key, view) != view:
        del st.query_params[key]
        views.pop(key)


def link_only(key: str, low: int, high: int, default: int, view: object = None) -> int:
    """A whole number that only a link sets, with no control on the page for it (the film's first frame, its
    snapshots): ``key``'s value in the address, a non-number replaced by ``default``, a number out of
    ``low``–``high`` clamped and a fraction rounded, each with a note, as a control's link value is; ``default``
    where the link gives none.

    With ``view`` (what the value places: the settings of the film a link opens at one of its frames), the value
    belongs to that view: once the learner changes it, the value leaves the address, without a note."""
    _LINK_ONLY.add(key)
    if view is not None:
        _kept_for(key, view)
    _correct_number(key, _raw(key), low, high, default, whole=True)
    _show_note(key)
    value = _as_number(st.query_params.get(key, ""))
    return default if value is None else int(min(max(value, low), high))


def tabs(labels: list[str], key: str):
    """Tabs whose open one is in the URL as ``key`` (the first by default), reset with the lesson's controls; a
    link that names no tab opens the first, with a note."""
    _lesson_default(key, labels[0])
    raw = _raw(key)
    if raw is not None and raw not in labels:
        named = _named(raw, {label: label for label in labels})  # a tab's name in another case: that tab
        _correct(key, named or labels[0], named or labels[0], None if named else (
            f"Link value {key}={quoted(raw)} is not one of the tabs; showing {labels[0]}."))
    _show_note(key, raw)
    return st.tabs(labels, key=key, bind="query-params")


def change(settings: Mapping[str, object]) -> None:
    """Set these controls to ``settings``, the others as they are (a suggestion the learner takes). Call from a
    widget's callback.

    A control drawn in the last run writes its new value into the address itself. One that was not (σ, which
    appears with the scheme a classic picks) would not: Streamlit puts a value set in code into the address
    only for a control it drew before, so the link would open on σ's default. Such a control is not bound to
    the address yet, so its value goes there now, as a link writes it."""
    st.session_state.update(settings)
    for key, text in link(settings).items():
        with contextlib.suppress(StreamlitAPIException):  # drawn last run, so bound: it writes its value itself
            st.query_params[key] = text


def _written(key: str, value) -> str:
    """A control's value as a note writes it: a choice by its label, several joined, a number plainly."""
    if isinstance(value, list):
        return ", ".join(_written(key, item) for item in value) or "none"
    return CHOICES.get(key, {}).get(value) or (_shown(value) if isinstance(value, float) else str(value))


def _correct(key: str, value, text: str | list[str], message: str | None = None) -> None:
    """Put ``text`` (how the widget writes ``value``) in the URL in place of the link's value, keep the note
    ``message`` for the control, and run the page again: the widget reads ``value`` from the URL."""
    repeated = st.session_state.get(_REPEATED, {}).pop(key, None)
    message = " ".join(part for part in (repeated, message) if part) or None
    _note(key, value, message)
    st.query_params[key] = text
    st.rerun()


def _show_note(key: str, value=None) -> None:
    """The link's note for ``key``, until the learner first moves the control off the value the note names, or meets
    the control in another lesson than the link's (which shares its name, not the link). A note on a link's several
    values, whose last the control takes as it is, names ``value``: the value the control reads from the URL."""
    repeated = st.session_state.get(_REPEATED, {}).pop(key, None)
    if repeated:
        _note(key, value, repeated)
    corrections = st.session_state.get(_CORRECTED, {})
    value, message, lesson, icon = corrections.get(key, (None, None, None, None))
    if not message:
        return
    here = lesson == st.session_state.get(_LESSON)  # a note on a link's value belongs to the lesson it opened
    if here and (key not in st.session_state or st.session_state[key] == value):  # not drawn yet: it reads the URL
        st.warning(message, icon=icon)
    else:
        corrections[key] = (value, None, lesson, icon)


LINKED, TYPED = ":material/link:", ":material/edit:"  # a note's icon: on a link's value, or on one the learner typed


def _note(key: str, value, message: str | None, icon: str = LINKED) -> None:
    """Keep ``message`` beside ``key``'s control, taking ``value``, in this lesson (``_show_note``), with ``icon``."""
    st.session_state.setdefault(_CORRECTED, {})[key] = (value, message, st.session_state.get(_LESSON), icon)


LINK_VALUE_SHOWN = 40  # characters of a link's value a note quotes


def _cut(raw: str, quote: bool = False) -> str:
    """A link's value as a note quotes it: whole, or its first ``LINK_VALUE_SHOWN`` characters and "…", so that a cut
    number does not read as another number; in quotes with ``quote`` (Python's, as ``repr`` writes them); and
    ``literal``, so that the note shows what the link said and does nothing of it."""
    cut = raw if len(raw) <= LINK_VALUE_SHOWN else raw[:LINK_VALUE_SHOWN] + "…"
    return literal(repr(cut) if quote else cut)


def quoted(raw: str) -> str:
    """``_cut`` of a link's value, in quotes: 'nope'."""
    return _cut(raw, quote=True)


def literal(text: str) -> str:
    """``text`` as a note shows it: as written, and, where Markdown (or Streamlit's own, or a web address that the
    renderer turns into a link by itself) could read anything in it, as inline code, which nothing is read in. A
    link's text had been rendered, so that a shared link could plant a clickable link, an image loaded from
    elsewhere, bold or coloured words (``:red[…]``) or LaTeX in the app's own notes."""
    if not _READABLE.search(text):
        return text
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_READABLE = re.compile(r"[\\`*_{}\[\]()<>#!|~$:@&]|www\.", re.IGNORECASE)  # what a renderer may read


def _as_number(raw: str) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _not_a_number(raw: str) -> str:
    """Why a link's value ``raw``, which ``_as_number`` refused, is no value: not a number at all (``abc``), or a
    number with no finite value (``inf``, ``nan``, ``1e400``, past the largest float)."""
    try:
        float(raw)
    except (TypeError, ValueError):
        return "is not a number"
    return "is not a finite number"


def _shown(value: float) -> str:
    """A number as a note or a link writes it: 10, 0.001, 2147483647, 12345678901 (a whole number in full, as typed)."""
    return str(int(value)) if math.isfinite(value) and value == int(value) and abs(value) < 1e16 else f"{value:.10g}"


def _whole(value: float) -> int:
    """``value`` rounded as the browser shows it under the format ``%.0f`` (halves away from zero)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _correct_number(key: str, raw: str | None, low: float, high: float, default: float, whole: bool) -> None:
    """A link's number ``raw`` for a slider or a number input of ``low``–``high``: a non-number replaced by
    ``default``, a number out of range clamped, and for a whole-number control a fraction rounded (halves away from
    0, as the browser shows it under the format %.0f), each with a note (``_correct``); a number it can take, left
    as it is."""
    value = None if raw is None else _as_number(raw)
    if raw is None or (value is not None and low <= value <= high and not (whole and value != int(value))):
        if raw is not None and (not raw.isascii() or raw != raw.strip()):  # ٣ or " 1 ": a number Python reads
            _correct(key, value, _shown(value))  # the address then says 3, as the control shows it
        return
    if value is None:
        _correct(key, default, _shown(default), f"Link value {key}={quoted(raw)} {_not_a_number(raw)}; "
                                                f"using {_shown(default)}.")
    else:
        taken = type(default)(min(max(_whole(value) if whole else value, low), high))
        reason = f"is outside {_shown(low)}–{_shown(high)}" if not low <= value <= high else "is not a whole number"
        _correct(key, taken, _shown(taken), f"Link value {key}={_cut(raw)} {reason}; using {_shown(taken)}.")


def slider(label: str, key: str, low: float, high: float, default: float, *, step: float = 1,
           help: str | None = None):
    """A slider of whole numbers, or of fractions where ``default`` is a float (σ_w² in steps of 0.05); a URL value
    out of range is clamped, a non-number replaced by the default, and on a slider of whole numbers a fraction
    rounded, as a number input's (``_correct_number``), each with a note. A whole number carried from another lesson
    is put back on the steps."""
    whole = isinstance(default, int)

    def on_step(v: float):
        return type(default)(min(max(low + step * _whole((v - low) / step) if whole else v, low), high))

    _carry(key, default, lambda v: low <= v <= high and (not whole or (v - low) % step == 0), on_step)
    raw = _raw(key)
    _correct_number(key, raw, low, high, default, whole)
    value = None if raw is None else _as_number(raw)
    if whole and step != 1 and value is not None and on_step(value) != value:  # epochs=55 on the lab's steps of 10:
        taken = on_step(value)  # Streamlit's binding would take it as it is, and the lab would put it on a step
        _correct(key, taken, _shown(taken), f"Link value {key}={_cut(raw)} is not on this control's steps of "
                                            f"{_shown(step)}; using {_shown(taken)}.")
    # In range, Streamlit's binding takes a fraction on a slider of fractions as it is (σ_w²=1.23).
    _show_note(key, None if raw is None else type(default)(value))
    return st.slider(label, low, high, default, step=step, key=key, bind="query-params", help=help,
                     format=None if whole else "plain")  # every digit in use: a link's σ_b = 0.707107 had read 0.71


def number(label: str, key: str, low: float, high: float, default: float, *, help: str | None = None,
           fmt: str = "%.6g", whole: bool = False):
    """A number input; a URL value out of range is clamped (and rounded if ``whole``), a non-number replaced by
    the default, each with a note."""
    _carry(key, default, lambda v: low <= v <= high, lambda v: type(default)(min(max(v, low), high)))
    value = st.session_state.get(key)
    if whole and isinstance(value, float) and value.is_integer():  # the browser's 7.0, or one carried: the address
        st.session_state[key] = int(value)  # writes an int as 7, a float as 7.0
    raw = _raw(key)
    _correct_number(key, raw, low, high, default, whole)
    _show_note(key, None if raw is None else type(default)(_as_number(raw)))
    # No bounds on the widget: Streamlit meets a typed value out of range with a red box and keeps the old
    # view; _clamp_typed takes it as a link's value is taken, clamped, with the allowed range said.
    return st.number_input(label, value=default, key=key, bind="query-params", help=help, format=fmt,
                           step=1.0 if whole else None,  # − and + move a whole-number control by whole numbers
                           on_change=_clamp_typed, args=(key, low, high, whole))


def _clamp_typed(key: str, low: float, high: float, whole: bool) -> None:
    """Callback of a number input: a value typed (or stepped) out of ``low``–``high`` is clamped into it, a
    fraction in a whole-number control rounded, and a note beside the control says so."""
    typed = st.session_state[key]
    taken = _whole(min(max(typed, low), high)) if whole else min(max(typed, low), high)  # a whole number as an int:
    if taken != typed:  # the address then says 8, where Streamlit writes a float 8.0 as it is
        st.session_state[key] = taken
        reason = f"is outside {_shown(low)}–{_shown(high)}" if not low <= typed <= high else "is not a whole number"
        _note(key, taken, f"{_shown(typed)} {reason}; using {_shown(taken)}.", TYPED)


def _named(raw: str, options: Mapping[str, str]) -> str | None:
    """The id of ``options`` (id → label) that a link's ``raw`` names: by its id or its label, as written or in
    another case (``RELU``, ``moons``, ``Fan_In``); None if none."""
    if raw in options:
        return raw
    by_text = {text.casefold(): option for option, text in options.items()} | {o.casefold(): o for o in options}
    return {text: option for option, text in options.items()}.get(raw, by_text.get(raw.strip().casefold()))


def choice(label: str, key: str, default: str, *, help: str | None = None, horizontal: bool = False):
    """Pick one id from ``CHOICES[key]`` (id → label); an unknown choice in the URL falls back to ``default``."""
    options = CHOICES[key]
    _carry(key, default, lambda v: v in options, lambda v: default)
    raw = _raw(key)
    if raw is None or raw in options.values():
        pass  # nothing to read, or a label: Streamlit's binding takes it
    elif (named := _named(raw, options)) is not None:  # an id, or a name in another case: the address gets its label
        _correct(key, named, options[named])
    else:
        _correct(key, default, options[default], f"Link value {key}={quoted(raw)} is not one of the choices; "
                                                 f"using {options[default]}.")
    _show_note(key, {text: option for option, text in options.items()}.get(raw))  # the label's id
    ids = list(options)
    if horizontal:
        return st.segmented_control(label, ids, default=default, format_func=options.get, key=key,
                                    bind="query-params", help=help, required=True)
    return st.selectbox(label, ids, index=ids.index(default), format_func=options.get, key=key,
                        bind="query-params", help=help)


def toggle(label: str, key: str, default: bool = False, *, help: str | None = None) -> bool:
    """An on/off switch. A link may write it as a ``flag`` (1/0, true/false, on/off, yes/no; the address bar then
    says true or false, the only words Streamlit's binding knows); anything else leaves it at its default, with a
    note."""
    _carry(key, default, lambda v: isinstance(v, bool), lambda v: default)
    raw = _raw(key)
    _show_note(key, _switch_word(key, raw, default))
    return st.toggle(label, value=default, key=key, bind="query-params", help=help)


FLAG_WORDS = {"1": True, "true": True, "on": True, "yes": True, "0": False, "false": False, "off": False, "no": False}
_FLAGS = "_flags"  # session state: {url name: on or off}, a way of showing every lesson, kept from lesson to lesson


def _switch_word(key: str, raw: str | None, default: bool) -> bool | None:
    """What a link's word ``raw`` says of a switch (None: the link says nothing): a ``FLAG_WORDS`` word the binding
    does not know (1, yes…) is written true or false in the URL, and any other word leaves the switch at
    ``default``, with a note (``_correct``)."""
    if raw is None:
        return None
    on = FLAG_WORDS.get(raw.strip().lower())
    if on is None:
        _correct(key, default, str(default).lower(), f"Link value {key}={quoted(raw)} is not 1 or 0 (nor on or off, "
                                                     f"yes or no, true or false); left {'on' if default else 'off'}.")
    elif raw != str(on).lower():  # the binding knows true and false only
        _correct(key, on, str(on).lower())
    return on


def flag(label: str, key: str, *, help: str | None = None) -> bool:
    """A switch for a way of showing every lesson (``?class=1``, ``?present=1``), off by default. A link may write
    it 1/0, true/false, on/off or yes/no (the address bar then says true); anything else leaves it off, with a
    note. It stays as set from one lesson to the next, and 'Reset this lesson' leaves it alone: it is how the
    app is shown, not a setting of the lesson."""
    kept = st.session_state.setdefault(_FLAGS, {})
    raw = _raw(key)
    if raw is None and (key in st.session_state or key in kept):  # said again: on a lesson just reached,
        st.session_state[key] = st.session_state.get(key, kept.get(key))  # Streamlit would give it its default
    _show_note(key, _switch_word(key, raw, False))
    kept[key] = st.toggle(label, value=False, key=key, bind="query-params", help=help)
    return kept[key]


def _rung(value: float) -> str:
    """A value of a ladder (σ, learning rate) as its slider shows it and writes it in the URL: 0.03, 10."""
    return f"{value:g}"


def _nearest(values: Sequence[float], value: float) -> float:
    """The rung of a ladder nearest to a positive ``value``, by ratio (0.02 is nearer 0.03 than 0.01)."""
    return min(values, key=lambda rung: abs(math.log(rung / value)))


def value_choice(label: str, key: str, values: Sequence[float], default: float, *, help: str | None = None):
    """A slider over a fixed ladder of values (σ, learning rate); an off-ladder URL value snaps to the nearest."""
    _carry(key, default, lambda v: v in values, lambda v: _nearest(values, v) if v > 0 else default)
    raw = _raw(key)
    if raw is not None:
        value = _as_number(raw)
        if value is None or value <= 0:
            why = "is not a positive number" if value is not None else _not_a_number(raw)
            _correct(key, default, _rung(default), f"Link value {key}={quoted(raw)} {why}; using {_rung(default)}.")
        elif value not in values:
            nearest = _nearest(values, value)
            _correct(key, nearest, _rung(nearest), f"Link value {key}={_cut(raw)} is not on the scale; "
                                                   f"using the nearest, {_rung(nearest)}.")
        elif raw != _rung(value):  # on the scale but written otherwise (3e-2): the binding knows "0.03" only
            _correct(key, value, _rung(value))
    _show_note(key, None if raw is None else _as_number(raw))
    return st.select_slider(label, options=list(values), value=default, key=key, bind="query-params", help=help,
                            format_func=_rung)


def several(label: str, key: str, default: Sequence[str], *, leave_out: Sequence[str] = (), help: str | None = None):
    """Pick several ids from ``CHOICES[key]`` but ``leave_out`` (the page's own choice, which is not compared with
    itself); unknown ones in the URL, and those left out, are dropped with a note that says which is which."""
    options = {option: text for option, text in CHOICES[key].items() if option not in leave_out}
    _carry(key, list(default), lambda v: all(item in options for item in v),
           lambda v: [item for item in v if item in options])
    raw = _raw(key, every=True)
    known = list(dict.fromkeys(named for r in raw if (named := _named(r, options)) is not None))
    if raw and not any(raw) and default:  # "schemes=": a link that names none, where the lesson needs some
        _correct(key, list(default), [options[k] for k in default], f"Link value {key}= names no choice; using "
                                                                    f"{_written(key, list(default))}.")
    if [options[k] for k in known] != raw:  # ids, repeats or unknowns: the address bar gets the labels
        left = {option: CHOICES[key][option] for option in leave_out}
        unknown = [_cut(r) for r in raw if _named(r, options) is None and _named(r, left) is None]
        chosen = ", ".join(dict.fromkeys(left[named] for r in raw if (named := _named(r, left)) is not None))
        notes = []
        if unknown:
            notes.append(f"Link value {key}={unknown[0]} is not a choice here; left out." if len(unknown) == 1 else
                         f"Link values {key}={', '.join(unknown)} are not choices here; left out.")
        if chosen:
            notes.append(f"Link value {key}={chosen} is already chosen above, and not compared with itself; left out.")
        taken = known or list(default)  # nothing known left: the control's own, as its box shows it
        if taken != known:
            notes.append(f"Using {_written(key, taken)}.")
        _correct(key, taken, [options[k] for k in taken], " ".join(notes) or None)
    _show_note(key)
    return st.multiselect(label, list(options), default=list(default), format_func=options.get, key=key,
                          bind="query-params", help=help)


def link(settings: Mapping[str, object]) -> dict[str, str | list[str]]:
    """``settings`` (ids and numbers) as a link's query parameters, written as the bound widgets write them:
    choices by label, numbers plainly, a list as one repeated name per item: the page takes them as they are,
    with no run spent putting ids right."""
    def text(name: str, value) -> str:
        if name in CHOICES:
            return CHOICES[name][value]
        if not isinstance(value, float):
            return str(value)
        return _rung(value) if float(_rung(value)) == value else repr(value)  # 0.03 as 0.03, 1/3 to the last digit

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
        chosen["mode"] = choice("Fan", "mode", "fan_in", horizontal=True)
        chosen["distribution"] = choice("Distribution", "distribution", "normal", horizontal=True)
    named = theme.scheme_label(scheme, chosen)
    if named != initcore.SCHEMES[scheme].label:  # settings a paper named: the controls say the lesson's name too
        st.caption(f"These settings are {named}.")
    return chosen


SEEDS = 2**31  # seeds 0 … 2³¹ − 1


def next_seed(seed: int) -> int:
    """The seed after ``seed`` ("New seed"), back to 0 after the last."""
    return (seed + 1) % SEEDS


def new_seed() -> None:
    """A "New seed" button's callback: the seed after the one the control holds when it is pressed. (Taken from the
    seed the page was drawn with, three quick presses before it was drawn again had each set the same next one.)

    A press carries the controls as the reader's screen shows them, and Streamlit takes that value over the one the
    last press's callback set. Pressed within ``QUICK_PRESSES`` seconds of the last, before its seed reached the
    screen, a press carried back a seed that press had moved on from, and drew the same next seed again (three quick
    presses from 100 ended on 102). So the seeds quick presses pass through are kept: a press that carries one of them
    counts from the last one drawn; any other seed (one the reader typed) counts from itself."""
    shown, now = _whole(st.session_state.get("seed", 0.0)), time.monotonic()
    passed, last = st.session_state.get(_PRESSES, ((), -math.inf))
    start = passed if shown in passed and now - last < QUICK_PRESSES else (shown,)
    drawn = next_seed(start[-1])
    st.session_state[_PRESSES] = (start + (drawn,), now)
    change(dict(seed=drawn))


QUICK_PRESSES = 5.0  # seconds: a press this soon after the last may carry a seed from before it
_PRESSES = "_new_seed_presses"  # session state: (the seeds quick presses of New seed passed through, the last's time)


def seed(default: int = 0) -> int:
    """The random seed, a whole number: set in code (New seed, a classic), give it an int, which the address writes as
    1 (a float would be written 1.0)."""
    # A float input shown without decimals: Streamlit's URL binding of an *integer* input fails on 1e400.
    return _whole(number("Random seed", "seed", 0.0, float(SEEDS - 1), float(default), fmt="%.0f", whole=True,
                         help="Same seed, same draws: switching between schemes that draw alike (two normal "
                              "ones, say) only rescales them."))

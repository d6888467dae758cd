"""Predict, then reveal: in class mode (``?class=1``) a lesson asks a question before it shows its chart.

Each question is built from what the page already computed (the run it is about to draw, the table under its
chart), so the answer revealed, "it is", holds for whatever settings the learner chose. Several start from a
belief learners often hold: that N(0, 0.01²) is a safe small start, that Var(W) = 1/n is Xavier's, that zero
weights are always wrong. The learner's answer is kept per question for as long as the question's settings
stay the same; a change of them asks it again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import initcore
from ui import phase_lessons
from ui.charts import EXPLODING, VANISHING
from ui.lessons import STEP, held_by_shared, judge_run, shared_among
from ui.tables import LOSS_DIGITS
from ui.theme import digits_apart, number, times

CLASS = "class"  # the URL name, and session-state key, of class mode
_ANSWERS = "_answers"  # session state: {question name: (its settings, the option the learner chose)}


@dataclass(frozen=True)
class Question:
    """A question about the view a page is about to show, with its answer read from that view."""

    name: str  # which question: its answer is kept under this name
    text: str  # what is asked (markdown)
    options: tuple[str, ...]
    right: tuple[str, ...]  # the options true of the view (two, where two formulas give one number)
    truth: str  # "it is": what the view shows, in words
    why: str  # why it is so, in a sentence or two
    settings: tuple  # what the answer depends on: when they change, the question is asked again


def on() -> bool:
    """Whether this session is in class mode."""
    return st.session_state.get(CLASS) is True


def ask_first(*questions: Question) -> None:
    """In class mode, ask ``questions`` and set what the learner said beside what it is; the rest of the page
    waits (``st.stop``) until every one is answered. Out of class mode, nothing."""
    if not on():
        return
    if not all([_ask(question) for question in questions]):  # a list: every question is drawn
        st.caption("Answer first: the chart comes after.")
        st.stop()


def _ask(question: Question) -> bool:
    """Draw ``question`` (with its reveal, once answered); whether it has an answer."""
    answers = st.session_state.setdefault(_ANSWERS, {})
    key = f"_answer_{question.name}"
    settings, said = answers.get(question.name, (question.settings, None))
    if settings != question.settings:  # another network, another question: not answered yet
        st.session_state.pop(key, None)
    elif said is not None and key not in st.session_state:  # back from another lesson: the answer given there
        st.session_state[key] = said
    with st.container(border=True):
        said = st.radio(question.text, question.options, index=None, key=key)
        answers[question.name] = (question.settings, said)
        if said is None:
            return False
        reveal = st.success if said in question.right else st.warning
        reveal(f"**You said:** {said}  \n**It is:** {question.truth}  \n{question.why}")
    return True


ABOUT_ONE, TINY, HUGE = (f"about 1 (between {number(VANISHING)} and {number(EXPLODING)})",
                         f"tiny, like 10⁻¹⁵ (below {number(VANISHING)}), or 0",
                         f"huge, like 10¹⁵ (above {number(EXPLODING)}), or inf")


def propagation(run: initcore.Propagation, label: str) -> Question:
    """Where the signal's variance ends, at the last layer of ``run`` (its scheme named ``label``), on the chart's
    own bands; why, in the words of the page's own verdict (``ui.lessons.judge_run``). Small random weights are
    introduced as the safe start many believe they are, where they are small for the layer."""
    layers, depth = run.layers, len(run.layers)
    last = float(layers.pre_var.iloc[-1])
    std, width = run.settings.get("std"), run.settings.get("width")
    small = run.settings.get("scheme") == "small_normal" and std is not None
    lead = (f"Small random weights, N(0, {number(std)}²), look like a safe start: small weights cannot blow "
            "anything up. " if small and (width is None or width * std**2 < 1) else "")
    text = f"{lead}Under {label}, at layer {depth}, where will the variance of the signal, Var z, be?"
    dead_below = run.vanished_at is not None and run.vanished_at < depth  # the layers above it carry no signal
    if run.exploded_at is not None or not np.isfinite(last):
        answer, truth = HUGE, f"inf: the signal overflowed float32 at layer {run.exploded_at or depth}"
    elif dead_below:
        held = _held(bool(run.settings.get("bias_std")))
        answer, truth = TINY, (f"{number(last)} at layer {depth}, but every activation of layer {run.vanished_at} "
                               f"was exactly 0: from there on each unit {held}, so no signal is left")
    else:
        answer = TINY if last < VANISHING else HUGE if last > EXPLODING else ABOUT_ONE
        truth = f"{number(last)} at layer {depth}" + ("" if answer == ABOUT_ONE else f", {answer.split(',')[0]}")
        if run.vanished_at == depth:  # z still varies from input to input; its activations pass none of it on
            truth += f"; but every activation of layer {depth} is exactly 0, so none of it reaches the output"
    right = (answer,)
    edge = next((band for band in (VANISHING, EXPLODING) if not dead_below
                 and 1 / ON_THE_EDGE < last / band < ON_THE_EDGE), None)
    if edge is not None:  # another draw of the same weights may end on the band's other side: both count
        right = (ABOUT_ONE, TINY if edge == VANISHING else HUGE)
        truth += (f", right at the band's edge, {number(edge)}: another seed may end on either side of it, so "
                  "both answers count")
    if depth == 1:
        why = "One layer takes the input's variance, 1, straight to this: there is no second layer to multiply it."
    else:
        why = f"Layer by layer, as the verdict below says: {judge_run(run)[0]}."
    if depth > 1 and held_by_shared(run) and run.exploded_at is None:  # Var z's answer, not the input's
        truth += ("; but almost none of it tells one input from another: what every input shares, "
                  f"{shared_among(run.settings)}, holds Var z there")
        why = f"Var z is the answer, but the verdict below tells what it hides: {judge_run(run)[0]}."
    if small and answer == TINY:
        why = "Small is not safe. " + why
    elif small and answer == HUGE and width is not None:
        why = (f"Small is relative: σ = {number(std)} over {width} inputs gives n·σ² = {number(width * std**2)}, "
               "more than the 1 a layer needs. " + why)
    return Question("propagation", text, (ABOUT_ONE, TINY, HUGE), right, truth, why,
                    tuple(sorted(run.settings.items())))


# A variance within this factor of a band's edge is on the edge: Xavier's 50 tanh layers end at 0.0082 to 0.0116
# over seeds 0 to 3, about the 0.01 edge, as the draw of each layer's 256 × 256 weights decides.
ON_THE_EDGE = 2


def ends(name: str, text: str, values: np.ndarray, settings: tuple, why: str = "", drawn: bool = False) -> Question:
    """Where a variance that starts at ``values[0]`` ends, at ``values[-1]``, relative to its start, on the charts'
    bands (``name``: which question; ``settings``: what it depends on). Where the values were ``drawn`` (a
    simulation, not theory), a change within ``ON_THE_EDGE`` of a band's edge may fall on either side of it with
    another seed: both answers count, as on Signal propagation."""
    change = float(values[-1] / values[0]) if values[0] > 0 else float("nan")
    options = (f"about the same (between ×{number(VANISHING)} and ×{number(EXPLODING)})",
               f"far smaller (below ×{number(VANISHING)}), or 0", f"far larger (above ×{number(EXPLODING)}), or inf")
    if not np.isfinite(change):
        answer = options[2] if np.isnan(values[-1]) or values[-1] == np.inf else options[1]
    else:
        answer = options[1] if change < VANISHING else options[2] if change > EXPLODING else options[0]
    truth = f"×{number(change)}" if np.isfinite(change) else answer.split(",")[0]
    right, said = (answer,), f"{truth}: {answer.split(' (')[0]}"
    if not np.any(values):  # zero weights' zeros: nothing to change
        said = "exactly 0 at every layer: there is no signal to change"
    edge = next((band for band in (VANISHING, EXPLODING) if drawn and np.isfinite(change)
                 and 1 / ON_THE_EDGE < change / band < ON_THE_EDGE), None)
    if edge is not None:
        right = (options[0], options[1] if edge == VANISHING else options[2])
        said = (f"{truth}, right at the band's edge, ×{number(edge)}: another seed may end on either side of it, so "
                "both answers count")
    return Question(name, text, options, right, said, why, settings)


def framework_default(values: np.ndarray, activation: str) -> Question:
    """A network of PyTorch's nn.Linear left to its default: where theory's signal ends after ``len(values)``
    layers of ``activation`` (``values``: its variance per layer)."""
    return ends("framework_default", f"You build {len(values)} {activation} layers with PyTorch's nn.Linear and "
                "write no initialization: the default is meant to be safe. From the first layer to the last, the "
                "signal's variance changes by…", values, (len(values), activation),
                "PyTorch's default draws U(±1/√n_in): Var(W) = 1/(3·n_in), a third of LeCun's and a sixth of He's. "
                + (f"Under {activation} the signal soon settles at a level of its own instead: what each layer "
                   "passes on has a mean (sigmoid's ½) that the weights' shortfall does not shrink. (The gradient "
                   "on its way back is another matter: the verdict below tells it.)"
                   if 1 / STEP <= values[-1] / values[-2] <= STEP else
                   f"Under {activation} each layer multiplies the signal by about "
                   f"{times((values[-1] / values[0]) ** (1 / (len(values) - 1)))}."))


def deep_network(stream: np.ndarray, description: str, vanished_at: int | None = None,
                 run: initcore.Propagation | None = None) -> Question:
    """Where the variance of z_l, the residual stream in a residual network, ends over the network drawn
    (``stream``: Var z_l per layer; ``description``: the network in words; ``vanished_at``: the layer whose every
    activation was exactly 0, if one was below the last: above it each unit holds its bias alone, the same for
    every input, or 0; ``run``: the simulation drawn, which says whether it has biases, and whether what every
    input shares holds Var z up while the input's own part vanishes, ``held_by_shared``: the reveal says so)."""
    if vanished_at is not None and vanished_at < len(stream):
        question = ends("deep_network", f"{description}: from its first layer to its last, the variance of z_l "
                        "changes by…", stream, (description, len(stream)), "")
        dead = question.options[1]
        biased = run is not None and bool(run.settings.get("bias_std"))
        return replace(question, right=(dead,), truth=(
            f"{dead.split(' (')[0]}: every activation of layer {vanished_at} was exactly 0, so from there on each "
            f"unit {_held(biased)} (Var z = {number(stream[-1])}): no signal is left"),
            why="A signal is what tells one input from another; " + (
                "biases alone, the same for every input, carry none." if biased else
                "a layer of zeros carries none."))
    jumped = (f" Before all that, the first layer alone took the input's variance, 1, to {number(stream[0])}: the "
              "question asks from there on, and the page's table counts that jump too."
              if not VANISHING <= stream[0] <= EXPLODING else "")
    question = ends("deep_network", f"{description}: from its first layer to its last, the variance of z_l changes "
                    "by…", stream, (description, len(stream)),
                    "Each plain layer multiplies the variance by its own factor; each residual block adds its branch "
                    f"to the stream, and a norm fixes only what the activation sees.{jumped}", drawn=True)
    held = held_by_shared(run) if run is not None and len(stream) > 1 and run.exploded_at is None else None
    if held:  # Var z's answer stands; what it hides is the input's part
        spread = "is 0 from layer 1" if held.none_passed else f"falls {times(held.change)}"
        return replace(question, truth=f"{question.truth}; but almost none of it tells one input from another: what "
                       f"every input shares, {shared_among(run.settings)}, holds Var z there",
                       why=f"Var z is the answer, but it hides what the story above the chart tells: each unit's "
                       f"spread over the inputs, the part of Var z that tells one input from another, {spread}.")
    return question


def _held(biased: bool) -> str:
    """What each unit above a layer of zeros holds: its bias alone, or 0 where the network has no biases."""
    if biased:
        return "holds its bias alone, the same for every input"
    return "holds exactly 0, as the network has no biases"


def lowest_loss(final: dict[str, float], epochs: int, settings: tuple) -> Question:
    """Which of the lab's schemes (label → final training loss) ends with the lowest loss after ``epochs``: every
    start whose loss reads as the lowest in the lab's table (``LOSS_DIGITS``), where several do: three runs stuck at
    ln 2 differ in the eighth digit, and none of them beat the others."""
    options = tuple(final)
    shown = {label: number(loss, LOSS_DIGITS) for label, loss in final.items() if np.isfinite(loss)}
    lowest = shown[min(shown, key=final.get)] if shown else None
    best = tuple(label for label, loss in shown.items() if loss == lowest) or options[:1]
    names = " and ".join(best)
    truth = f"{names}, at {lowest}" if shown else f"{names}, with no finite loss"
    why = ("A start that keeps the signal and its gradient at a steady size usually lets every layer learn from the "
           "first step, while zeros never break their symmetry, small weights stall and large ones saturate or "
           "diverge; the lab's sentences below say what each start did here.")
    if len(best) > 1:
        why = (f"{names} ended at the same loss, to the four digits the table shows: none of them learned anything "
               "the others did not, so here the start did not decide. " + why)
    return Question("lowest_loss", f"Same data, same network, same learning rate. After {epochs} epochs, which start "
                    "ends with the lowest training loss?", options, best, truth, why, settings)


def xavier(fan_in: int, fan_out: int, variance: float) -> Question:
    """Which variance Xavier/Glorot gives a ``fan_in`` × ``fan_out`` layer; ``variance``: the scheme table's."""
    formulas = {"1/n_in": 1 / fan_in, "2/(n_in + n_out)": 2 / (fan_in + fan_out), "2/n_in": 2 / fan_in}
    digits = digits_apart(formulas.values())  # 1/1022 and 2/2046 both read 9.78 × 10⁻⁴ to 3
    options = tuple(f"{formula} = {number(value, digits)}" for formula, value in formulas.items())
    right = tuple(option for option, value in zip(options, formulas.values(), strict=True)
                  if np.isclose(value, variance, rtol=1e-9))
    why = ("Glorot and Bengio (2010) average the two fans, so that the signal going forward and the gradient coming "
           "back both keep their size. 1/n_in is LeCun's (1998), 2/n_in He's (2015).")
    if len(right) > 1:
        why += " Here n_in = n_out, so 1/n_in and Xavier's give the same number: give the layer another fan-out " \
               "to tell them apart."
    return Question("xavier", f"Var(W) = 1/n is often called Xavier's. For this layer of n_in = {fan_in} inputs and "
                    f"n_out = {fan_out} units, what variance does Xavier/Glorot give its weights?", options, right,
                    f"{number(variance, digits)}", why, (fan_in, fan_out))


def symmetry(distinct: int, width: int, epochs: int, label: str, settings: dict, initial: int | None = None
             ) -> Question:
    """How many of a hidden layer's ``width`` units differ after ``epochs`` of training from ``label`` weights:
    ``distinct``, as counted on the run the page shows (0 where it diverged; ``initial``: before training;
    ``settings``: the rest of that run's controls)."""
    options = (f"all {width}: training tells them apart", "just 1: all of them compute the same thing",
               f"some of them, fewer than {width}", "none: training blew up, and no unit computes a number")
    answer = options[0] if distinct == width else options[1] if distinct == 1 else options[3] if not distinct else (
        options[2])
    started_apart = initial is not None and initial > 1
    if not distinct:
        why = "Training overflowed: every unit's output became inf or NaN, which is no copy of anything either."
    elif distinct == 1 and started_apart:
        why = (f"They started as {initial} different units, so this is no symmetry: training drove them until all "
               "compute the same thing, and the verdict below says how.")
    elif distinct == 1:
        why = ("Units that start equal compute the same output and get the same gradient, so every update keeps "
               "them equal.")
    elif distinct == width:
        why = "Random weights make the units differ from the start, and different units get different gradients."
    else:
        why = "Some units ended up alike; the verdict below says why."
    return Question("symmetry", f"Initialization: {label}. After {epochs} epochs of training, how many of hidden "
                    f"layer 2's {width} units compute something different from the others?", options, (answer,),
                    f"{distinct} of {width}", why, (distinct, width, epochs, label, tuple(sorted(settings.items()))))


def zero_last_layer(run: dict, width: int, epochs: int, label: str, settings: dict) -> Question:
    """Whether a network whose hidden layers are drawn from ``label`` but whose output layer starts at zero (as
    Fixup starts it) learns, read off ``run``, that network trained for ``epochs`` (``ui.cached.zero_output``): it
    does if its loss falls and its last hidden layer's ``width`` units end up telling different things apart."""
    # The "no" is the answer itself, not a reason: where the hidden layers are copies the answer is no, but not
    # because of the zero output layer, and "zero weights anywhere keep the units copies" is the misconception.
    options = ("yes: each output weight gets its own gradient, and the layers below learn from the next step on",
               "only as one unit: its units stay copies of one another, and its loss falls no further than one unit "
               "can take it",
               "no: from this start the network cannot learn")
    start, end, distinct = run["loss"][0], run["loss"][-1], run["distinct"]
    falls = bool(np.isfinite(end) and end < LEARNED_SHARE * start)
    learns = falls and distinct > 1
    copies = falls and not learns  # the loss falls as far as one unit, copied, takes it: no network of many
    truth = (f"{'yes' if learns else f'no, not as {width} units' if copies else 'no'}: trained for {epochs} epochs "
             f"with the output layer at zero, the loss went from {number(start)} to {number(end)}"
             + (f", as far as one unit copied {width} times can take it: the last hidden layer's {width} units are "
                f"{distinct} distinct unit{'' if distinct == 1 else 's'}" if copies else
                f", and the last hidden layer's {width} units are "
                + (f"{distinct} distinct units" if distinct > 1 else "all one unit, copies of one another"
                   if distinct else "no unit computing a number")))
    if learns:
        why = ("A zero output layer sends no gradient down at the first step, but its own weights get gradients as "
               "different as the units they read. After one step they differ, and from then on every layer learns. "
               "Zero everywhere is what fails.")
    elif not np.isfinite(end):
        why = ("Here the loss overflowed: these weights with this learning rate diverge, with or without a zero "
               "output layer, which is not what stopped it.")
    elif distinct > 1:
        why = (f"Its last hidden layer's {width} units differ, so the zero output layer is not what holds it back: in "
               f"{epochs} epochs its loss fell by less than {number(100 * (1 - LEARNED_SHARE))} %, too little to call "
               "learning. More epochs tell.")
    else:
        why = (f"Here the hidden units start as copies ({label}), or the signal cannot reach the output, so the "
               "output weights get equal gradients and move together. Zero in the last layer alone is harmless; zero "
               "(or one constant) everywhere is not.")
    text = (f"Are zero weights always wrong? Keep the hidden layers as they are here ({label}), but start the output "
            "layer at zero, as Fixup does (Zhang et al. 2019). Can the network learn?")
    return Question("zero_last_layer", text, options, (options[0 if learns else 1 if copies else 2],), truth, why,
                    (width, epochs, label, tuple(sorted(settings.items()))))


LEARNED_SHARE = 0.9  # a network learns if its loss ends below this share of where it started


_PHASE_OPTION = dict(ordered=0, critical=1, chaotic=2, fading=3, growing=4, exploding=4)  # ``phase``'s options


def phase(point: dict, activation: str, sigma_w2: float, sigma_b2: float) -> Question:
    """Which phase a network of ``activation`` at (σ_w², σ_b²) is in; ``point``: ``initcore.theory.phase`` there."""
    options = ("ordered: any two inputs end up alike (χ₁ < 1)", "at the edge of chaos (χ₁ = 1)",
               "chaotic: nearby inputs end up unrelated (χ₁ > 1)",
               "fading: with no biases the signal dies out, and how alike two inputs are is not forgotten at any "
               "fixed rate",
               "growing without bound: the signal has no level to settle at (q* = ∞)")
    chi, name = point["chi1"], phase_lessons.phase_name(point, sigma_b2)
    answer = options[_PHASE_OPTION[name]]  # the page's own verdict's phase
    # The edge of chaos at q* = 0 (tanh at σ_w² = 1, no biases) is reached only in the limit: the signal fades to 0
    # there too, and how alike two inputs are is forgotten at no fixed rate (ξ_c = ∞), so "fading" is as true.
    right = (answer, options[_PHASE_OPTION["fading"]]) if name == "critical" and point["q_star"] == 0 else (answer,)
    return Question(
        "phase", f"A {activation} network with σ_w² = {number(sigma_w2)} and σ_b² = {number(sigma_b2)}: which phase "
        "is it in?", options, right, f"{phase_lessons.against_one(chi)}: {answer.split(':')[0].split(' (')[0]}",
        "χ₁ is σ_w² times the mean square slope of the activation at the level the signal settles at: above 1 each "
        "layer pulls nearby inputs apart, below 1 it pulls them together. With no biases and χ₁ < 1, an activation "
        "with f(0) = 0 lets the signal fade to 0 instead (sigmoid, whose f(0) = ½, keeps one), each layer acting "
        "more and more like a linear map, which pulls nothing together at a fixed rate. Where the signal has no "
        "level to settle at (ReLU past σ_w² = 2, or at 2 with biases, which add σ_b² at every layer), it grows "
        "without bound, and neither order nor chaos applies.",
        (activation, sigma_w2, sigma_b2))

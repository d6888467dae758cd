"""The Order and chaos lesson in words: where a point of the plane lies, whether the real runs bear theory out, and
what the Jacobian's spectra mean for training. Every sentence says the numbers it rests on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from initcore.mean_field import TRAINABLE
from ui.lessons import classify, judge
from ui.phase_charts import by_gradients, layers, trainable_named
from ui.phase_data import LEARNED, RUN, RUN_EPOCHS
from ui.theme import number, number_apart, percent, times

NEAR_CRITICAL = 1000  # layers: a trainable depth this large is, for any network a learner builds, the edge of chaos
NAMED_DISAGREEMENTS = 3  # points where theory and a run disagree, named in words; the others are counted
NEAR_ONE = 2  # the middle 90 % of singular values within ×2 of each other, around 1: "near 1"


def readings(point: dict) -> dict[str, str]:
    """The four numbers of a point of the plane, labelled for ``ui.show.metrics``; the depth scales are left out
    where the signal grows without bound, since they do not apply there. Where correlations are kept for ever
    (ξ_c = ∞) but the gradients fade, the trainable depth is where they have shrunk e⁶-fold, and its label says so:
    "6ξ" beside ξ_c = ∞ read as 6 × ∞. Where the signal fades to 0 or grows without bound, χ₁ is the gradients'
    factor a layer only in the limit it nears, and its label says that too."""
    grows = point["q_star"] == np.inf
    gradients = by_gradients(point["q_star"], point["trainable_depth"])
    limit = {0: ", in the limit q → 0", np.inf: ", in the limit q → ∞"}.get(point["q_star"], "")
    return {"q*: where Var z settles": layers(point["q_star"]),
            f"χ₁: gradient factor a layer{limit}": number(point["chi1"]),
            "ξ_c: depth scale": "—" if grows else f"{layers(point['depth_scale'])} layers",
            ("trainable depth, set by the gradients" if gradients else "6ξ: trainable depth"):
                "—" if grows else f"{layers(point['trainable_depth'])} layers"}


def near_critical(chi: float) -> bool:
    """Whether a gradient factor χ₁ a layer is 1 for any network a learner builds: it takes 1/|ln χ₁| layers to
    change anything ×e, and 6 times that (as 6ξ counts them) is at least ``NEAR_CRITICAL`` layers."""
    return bool(chi > 0 and NEAR_CRITICAL * abs(np.log(chi)) <= 6)


PHASES = ("ordered", "critical", "chaotic", "fading", "growing", "exploding")


def phase_name(point: dict, sigma_b2: float) -> str:
    """The phase of a point (biases of variance ``sigma_b2``), one of ``PHASES``, as the lesson tells it: the
    signal has no level to settle at (q* = ∞) and **grows** slowly, by the biases or by an activation's negative
    side, or **explodes** ×χ₁ a layer, unless χ₁ is so near 1 that the network is **critical** for any depth a
    learner builds; with no biases it **fades** to q* = 0; where correlations are kept for ever (ξ_c = ∞) it is
    **critical**; otherwise **ordered** (χ₁ < 1) or **chaotic**. ``verdict`` and class mode's answer both read it."""
    q, chi = point["q_star"], point["chi1"]
    if q == np.inf:
        if sigma_b2 > 0 and (chi <= 1 or near_critical(chi)):  # the biases' growth, not χ₁'s
            return "growing"
        if chi > 1:
            return "critical" if near_critical(chi) else "exploding"
        return "growing"
    if q == 0 and not near_critical(chi):
        return "fading"
    if point["depth_scale"] == np.inf:
        return "critical"
    return "ordered" if chi < 1 else "chaotic"


def verdict(point: dict, sigma_b2: float, path: tuple[np.ndarray, np.ndarray]) -> tuple[str, str]:
    """(kind of message, sentence): the phase of a point (biases of variance ``sigma_b2``, ``phase_name``) and what
    it means for a plain deep network. Where the phase's own numbers do not say how much changes at a depth a learner
    builds (a signal that grows without bound; the edge of chaos at q* = 0, reached only in the limit), theory's
    ``path`` (``ui.phase_data.path``: Var z_l and Var dL/dz_l through ``PATH_DEPTH`` layers) says it, in Signal
    propagation's words (``ui.lessons.judge``), and the kind of message is theirs."""
    q, chi, xi = point["q_star"], point["chi1"], point["depth_scale"]
    phase = phase_name(point, sigma_b2)
    if q == np.inf and phase != "critical":
        kind, worst = classify(*path)
        kind = "error" if kind == "error" else "warning"
        pace = "" if worst in ("explodes", "vanishes") else ", slowly"
        if phase == "growing":
            return kind, (f"**Growing without bound{pace}.** {_grows_by(sigma_b2)}. {_over_depth(path)} 6ξ_c does not "
                          "apply here.")
        name = "Exploding" if worst == "explodes" else f"Growing without bound{pace}"
        return kind, (f"**{name}.** The signal has no level to settle at (q* = ∞): its variance grows about "
                      f"{times(chi)} a layer, and so do the gradients on their way back, ×100 in about "
                      f"{_hundredfold(chi)} layers. {_over_depth(path)} Deep enough, such a network diverges or "
                      "crawls; 6ξ_c does not apply.")
    if q == np.inf:
        steps = len(path[0]) - 1  # from layer 1 to the last, as Signal propagation counts
        return "success", (f"**Critical, for any depth you would build.** {against_one(chi)}: in theory the signal "
                           f"never settles (q* = ∞), but it grows, like the gradients on their way back, by "
                           f"{number(100 * np.expm1(steps * np.log(chi)))} % from layer 1 to layer {len(path[0])}, "
                           f"and would take about {_hundredfold(chi)} layers to grow ×100.")
    if phase == "fading":
        return "info", _fading(chi, point["trainable_depth"])
    if phase == "critical" and q == 0:
        kind, _ = classify(*path)
        return "success" if kind == "success" else "info", (
            "**Critical, but only in the limit.** χ₁ = 1 where the signal has faded to nothing (q* = 0), and it only "
            "ever nears that. On the way, each layer takes a little of the signal, and of the gradients, the less the "
            "smaller the signal: no fixed factor a layer, as in an ordered network, but a loss all the same. "
            f"{_over_depth(path)} Depth alone does not stop this network from training, as it stops an ordered one, "
            "but its first layers get the smallest gradients: each layer's loss shrinks with the signal, yet they add "
            f"up to e⁶ by layer {layers(point['gradient_depth'])}.")
    if phase == "critical":
        return "success", ("**Critical: the edge of chaos.** χ₁ = 1: two inputs neither merge nor fly apart at any "
                           "fixed rate (ξ_c = ∞) and gradients keep their size on their way back, so depth alone "
                           "does not stop this network from training.")
    depth = 6 * xi
    kind = "success" if depth >= NEAR_CRITICAL else "info"
    if phase == "ordered":
        said = (
            f"**Ordered** ({against_one(chi)}). Each layer pulls the signals of any two inputs closer together: "
            f"what tells them apart fades by a factor e about every {number(xi)} layers, and {_gradients(chi)}.")
        beyond = "deeper, every input reaches the output looking alike."
    else:
        said = (
            f"**Chaotic** ({against_one(chi)}). Each layer pushes the signals of two inputs apart until their "
            f"correlation settles at c* = {number_apart(point['c_star'], 1)}, however alike they started: how alike "
            f"they were is forgotten within about {number(xi)} layers, and {_gradients(chi)}.")
        beyond = "deeper, the output is noise that no longer depends on how alike two inputs were."
    return kind, f"{said} A plain network of this kind trains up to about 6ξ_c = {number(depth)} layers; {beyond}"


def _grows_by(sigma_b2: float) -> str:
    """Why a signal that χ₁ does not blow up still grows without bound: the biases, or the negative side of φ."""
    if sigma_b2 > 0:
        return ("The biases add σ_b² to the signal's variance at every layer, more than the activation takes from it, "
                "so it never settles (q* = ∞)")
    return ("With no biases, the activation's negative side, which is not cut to 0, hands each layer a little more "
            "variance than it got, so the signal never settles (q* = ∞). The larger it grows, the more each layer "
            "acts like a ReLU at He's scale: the growth a layer, and the gradients' factor a layer (χ₁ = 1 in the "
            "limit, above 1 on the way), slow towards ×1")


def _hundredfold(chi: float) -> str:
    """How many layers a factor χ₁ > 1 a layer takes to grow anything ×100."""
    return number(np.log(100) / np.log(chi))


def _over_depth(path: tuple[np.ndarray, np.ndarray]) -> str:
    """What theory's ``path`` (Var z_l and Var dL/dz_l, layer 1 first) does over its layers, as Signal propagation
    says it of the network this page's link opens there."""
    signal, gradient = (_verb(judge(path[0])), _verb(judge(path[1], backward=True)))
    return (f"Over {len(path[0])} layers, in theory, Var z {signal} from layer 1 to {len(path[0])} and the gradient "
            f"{gradient} on its way back, as the link below shows in Signal propagation.")


def _verb(judged) -> str:
    """A ``judge``'s word and change as a sentence's verb: "fades ×0.0104", "stays steady (×1)"."""
    if judged.word == "steady":
        return f"stays steady ({times(judged.change)})"
    return f"{judged.word} {times(judged.change)}"


def _fading(chi: float, trainable: float) -> str:
    """The verdict where, with no biases, the signal fades to q* = 0: correlations no longer change at a fixed rate
    (ξ_c = ∞), and the gradients, ×χ₁ a layer in the limit, set the depth (``initcore.theory.phase``'s
    ``trainable_depth``: where theory's path has shrunk them e⁶-fold)."""
    return (f"**Fading, with no biases** ({against_one(chi)}). Weights this small cannot keep the signal: its "
            f"variance falls towards 0 (q* = 0), and once it is near 0 the {_gradients(chi)}, e-fold smaller every "
            f"ξ_∇ = {number(-1 / np.log(chi))} layers. That does not pull two inputs together: as "
            "the signal shrinks, each layer acts more and more like a linear map, and a map that only scales its "
            "inputs changes no correlation, so how alike two inputs are is not forgotten within any "
            "fixed number of layers (ξ_c = ∞). The gradients set the depth here. Layer by layer from an input of "
            f"variance 1, theory has them e⁶ times smaller (×{number(np.exp(-TRAINABLE))}) after about "
            f"{number(trainable)} layers, the depth a plain network of this kind trains to; deeper, its first layers "
            "barely learn.")


def against_one(chi: float) -> str:
    """χ₁ beside 1: "χ₁ = 0.75 < 1", "χ₁ = 1", or "χ₁ just under 1" where three digits would write it as 1."""
    if chi == 1:
        return "χ₁ = 1"
    side, word = ("<", "under") if chi < 1 else (">", "over")
    return f"χ₁ just {word} 1" if number(chi) == "1" else f"χ₁ = {number(chi)} {side} 1"


def _gradients(chi: float) -> str:
    """What each layer does to the gradients on their way back: ×χ₁, or nearly nothing where χ₁ reads as 1."""
    if number(chi) == "1":
        return "gradients keep nearly their size on their way back"
    return f"gradients {'shrink' if chi < 1 else 'grow'} {times(chi)} a layer on their way back"


def _of(k: int, n: int) -> str:
    return f"all {n}" if k == n and n > 2 else f"{k} of {n}"


def agreement(runs: pd.DataFrame) -> str:
    """Whether the real runs (``ui.phase_data.runs``) did what theory says of their depth, in numbers: how many
    learned where theory's trainable depth reaches theirs, how many stayed low where it does not, where the two
    disagree, and what became of the runs whose signal grows without bound."""
    depth = RUN["depth"]
    settled = runs[runs.prediction != "grows"]
    trains, too_deep = settled[settled.prediction == "trains"], settled[settled.prediction == "too deep"]
    learned = trains.outcome == "learned"
    stayed = too_deep.outcome != "learned"
    agree = int(learned.sum() + stayed.sum())
    parts = [f"**Theory and practice agree at {agree} of the {len(settled)} points where the signal does not grow "
             "without bound.**" if len(settled) else "**The signal grows without bound at every one of these points.**"]
    if len(trains):
        parts.append(f"Where theory's trainable depth reaches {depth} layers, {_of(int(learned.sum()), len(trains))} "
                     f"runs learned (at least {percent(LEARNED)} test accuracy after {RUN_EPOCHS} epochs).")
    if len(too_deep):
        parts.append(f"Where it falls short of {depth}, {_of(int(stayed.sum()), len(too_deep))} stayed below "
                     f"{percent(LEARNED)}.")
    odd = pd.concat([trains[~learned], too_deep[~stayed]]).sort_values(["sigma_b2", "sigma_w2"])
    if len(odd):
        named = "; ".join(
            f"σ_w² = {number(row.sigma_w2)}, σ_b² = {number(row.sigma_b2)} ("
            f"{trainable_named(row.q_star, row.trainable_depth)}, "
            f"{'diverged' if row.outcome == 'diverged' else percent(row.test_accuracy)})"
            for row in odd.head(NAMED_DISAGREEMENTS).itertuples())
        more = len(odd) - NAMED_DISAGREEMENTS
        rest = f", and at {more} more (point at the circles to read them)." if more > 0 else "."
        parts.append(f"They disagree at {named}{rest}")
    grows = runs[runs.prediction == "grows"]
    if len(grows):
        diverged = int((grows.outcome == "diverged").sum())
        learned_there = int((grows.outcome == "learned").sum())
        parts.append(f"Where the signal grows without bound, {_of(diverged, len(grows))} runs diverged and "
                     f"{learned_there} learned.")
    return " ".join(parts)


def _spread(spectrum: dict) -> str:
    """The middle 90 % of a spectrum (``ui.phase_data.spectra``) in words: "from 0.086 to 1.75, a factor of 20.4
    apart", or "from too small to resolve (under 1.38 × 10⁻⁵) to 0.0913"."""
    low, high = spectrum["middle"]
    if low < spectrum["floor"]:
        return f"from too small to resolve (under {number(spectrum['floor'])}) to {number(high)}"
    return f"from {number(low)} to {number(high)}, a factor of {number(high / low)} apart"


def spectrum_findings(spectra: dict, activation: str, width: int) -> list[str]:
    """One sentence for each thing the spectra (``ui.phase_data.spectra``) show that matters for training, in the
    order the lesson tells them: exact isometry, Gaussian's spread with depth, what orthogonal weights keep, and
    what ReLU's zeros take away."""
    gaussian, orthogonal = spectra["Gaussian"], spectra["Orthogonal"]
    first, last = min(gaussian), max(gaussian)
    found = []
    if all(orthogonal[depth]["exact"] for depth in orthogonal):
        found.append("**Orthogonal: every singular value is 1, at every depth.** The network turns the input "
                     "without stretching or shrinking any direction of it, so a gradient reaches the first layer "
                     "whole however deep the network is: dynamical isometry.")
    tiny = gaussian[last]["tiny"]
    along = ("blown up along the large ones and lost along the small ones" if gaussian[last]["largest"] > 1 else
             "shrunk along every one of them, far more along some than along others")  # sigmoid at σ_w² = 0.5
    found.append(f"**Gaussian weights spread the values with depth.** After {first} layer{'s' if first > 1 else ''} "
                 f"the middle 90 % lie {_spread(gaussian[first])}; after {last}, {_spread(gaussian[last])}"
                 + (f", and {tiny} of the {width} are too small to resolve" if tiny else "")
                 + f". A gradient is {along}, so training moves a few directions of the input and hardly the rest.")
    kept = orthogonal[last]
    if activation == "relu":
        found.append(f"**ReLU never gets there.** Even with orthogonal weights, {kept['tiny']} of {width} values are "
                     f"0 or too small to resolve after {last} layers: on every layer ReLU's slope is 0 for about half "
                     "the units, and each zero removes a direction. No σ_w² changes that.")
    elif not all(orthogonal[depth]["exact"] for depth in orthogonal):
        found.append(_orthogonal_finding(kept, gaussian[last], last, width))
    return found


def _orthogonal_finding(kept: dict, gaussian: dict, depth: int, width: int) -> str:
    """What orthogonal weights keep of the spectrum after ``depth`` layers (``kept``), against Gaussian's."""
    low, high = kept["middle"]
    if high <= low * (1 + 1e-3):
        return (f"**Orthogonal weights scale every direction alike:** after {depth} layers every singular value is "
                f"{number(low)}. Each layer multiplies every direction by the same gain √σ_w², which is 1 only at "
                "σ_w² = 1.")
    if low >= 1 / NEAR_ONE and high <= NEAR_ONE:
        level = " They stay near 1: almost every direction passes at the same gain, which lets very deep networks " \
                "train fast."
    elif high < 0.1:
        level = " But every one of them is small: the gradient fades in every direction alike."
    elif low > 10:
        level = " But every one of them is large: the gradient grows in every direction alike."
    else:
        level = ""
    lost = f", with {kept['tiny']} of {width} too small to resolve" if kept["tiny"] else ""
    if _decades(kept) < _decades(gaussian):
        return (f"**Orthogonal weights keep them together.** After {depth} layers the middle 90 % lie "
                f"{_spread(kept)}{lost}, where Gaussian's lie {_spread(gaussian)}."
                f"{level} What spread remains comes from the activation: its slope f′(z) differs from unit to unit.")
    return (f"**Orthogonal weights do not keep them together here.** After {depth} layers the middle 90 % lie "
            f"{_spread(kept)}{lost}, as wide as Gaussian's or wider: {_spread(gaussian)}. The weights stretch no "
            "direction more than another; the activation does, its slope f′(z) differing from unit to unit, and at "
            "this σ_w² that spread dominates.")


def _decades(spectrum: dict) -> float:
    """How many decades the middle 90 % of a spectrum spans, from its floor where its low end is below it."""
    low, high = spectrum["middle"]
    return float(np.log10(high / max(low, spectrum["floor"])))

"""One colour per scheme on every page (Okabe & Ito's colour-blind-safe palette), shared labels, and how the
charts look, with words dark enough to read on a projector."""

import functools
from collections.abc import Mapping
from fractions import Fraction

import numpy as np

import initcore

_FAMILY_COLOURS = {
    "zeros": "#7F7F7F",
    "constant": "#C68900",  # Okabe-Ito's orange and sky blue (#E69F00, #56B4E9), 14 and 13 % darker: a line in
    "small_normal": "#4B9DCB",  # either was 2.3:1 on white, under WCAG's 3:1 for a mark that carries meaning
    "large_normal": "#D55E00",
    "xavier": "#004C8C",
    "he": "#009E73",
    "lecun": "#882255",
    "orthogonal": "#000000",
    "variance_scaling": "#A08C00",
    "pytorch_default": "#CC79A7",
    "keras_default": "#004C8C",  # Xavier's: it is Xavier uniform
    "flax_default": "#882255",  # LeCun's: it is LeCun normal, truncated
}


# A scheme registered with no family colour above takes the next of these, in the registry's order: each is at least
# ΔE 24 from every colour above and from the others, for typical vision and the three deficiencies the palette test
# simulates, and 3:1 or more against white.
_SPARE_COLOURS = ("#9900FF", "#553311", "#440099")


def scheme_colour(scheme: str) -> str:
    """Xavier uniform and normal share Xavier's colour, and so on; uniform variants are drawn dashed. A scheme of no
    family here (one newly registered) gets a spare colour of its own."""
    family = _FAMILY_COLOURS.get(scheme, _FAMILY_COLOURS.get(scheme.split("_")[0]))
    if family is not None:
        return family
    unfamiliar = _unfamiliar()
    return _SPARE_COLOURS[unfamiliar.index(scheme) % len(_SPARE_COLOURS)] if scheme in unfamiliar else "#333333"


def _unfamiliar() -> list[str]:
    """The registered schemes with no family colour, in the registry's order."""
    return [s for s in initcore.SCHEMES if s not in _FAMILY_COLOURS and s.split("_")[0] not in _FAMILY_COLOURS]


# Lines that often lie on one another get a dash of their own: zeros, constant and small weights all sit at
# ln 2 in the lab's loss chart, and two curves on one line would show as one. Every dash starts where its line
# does, so dashes of one period fall in step: Plotly's long dash (15 px on, 15 off) lay wholly under its long
# dash-dot (15, 6, 3, 6), so Constant and Small random take dashes that leave a quarter of any other showing.
# (Dotted is theory's, and the gradient chart's output layer.) Uniform variants are dashed like their normal
# sibling's colour.
_DASHES = {"zeros": "longdash", "constant": "6px,3px,6px,9px", "small_normal": "3px,6px,12px,6px",
           "variance_scaling": "6px,3px,2px,3px", "pytorch_default": "2px,2px", "keras_default": "2px,2px",
           "flax_default": "2px,2px"}  # a framework's default: a fine dash in its scheme's colour


def scheme_dash(scheme: str) -> str:
    return _DASHES.get(scheme, "dash" if scheme.endswith("uniform") else "solid")


# Where a chart's dashes say something else (the lab's gradient chart: first layer solid, output layer dotted), a
# scheme's lines carry a few markers of a shape of its own, so that no two schemes differ by colour alone. A scheme
# registered beyond these shapes shares one with a scheme of another colour.
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "x", "star", "pentagon",
            "hexagram", "hourglass", "bowtie", "triangle-left", "triangle-right", "star-diamond")


def scheme_symbol(scheme: str) -> str:
    """The marker shape of ``scheme``'s lines where dashes cannot tell schemes apart ("-open" added: hollow)."""
    schemes = list(initcore.SCHEMES)
    return _SYMBOLS[schemes.index(scheme) % len(_SYMBOLS)] if scheme in schemes else "circle"


# Settings of a scheme that a paper named: a lesson showing them uses the paper's name, in its legend and words.
# (Custom variance scaling with a named scheme's three knobs takes that scheme's name: ``scheme_label``.)
PAPER_NAMES = [("variance_scaling", dict(scale=1 / 3, mode="fan_in", distribution="uniform"),
                "'standard' U[±1/√n] (Glorot & Bengio)"),
               ("variance_scaling", dict(scale=2.0, mode="fan_out", distribution="normal"),
                "He/Kaiming normal, fan_out (torchvision's ResNets)")]  # its kaiming_normal_(mode="fan_out")


def scheme_label(scheme: str, params: dict | None = None) -> str:
    """A scheme's name; with ``params`` that a paper named (``PAPER_NAMES``), the paper's name. Custom variance
    scaling with the three knobs of a scheme of its family (scale 2, fan_in, normal) is that scheme. A scheme named
    for the size of its σ (Small random, Large random) with another σ is named by its σ: "Small random" of σ = 100
    would contradict the explosion it shows."""
    for named, settings, name in PAPER_NAMES:
        if scheme == named and params and _same(params, settings):
            return name
    if scheme == "variance_scaling" and params:
        for named in initcore.SCHEMES.values():
            if named.knobs and _same(params, named.knobs):
                return named.label
    spec = initcore.SCHEMES[scheme]
    std = spec.params.get("std")
    if std is not None and params and not np.isclose(params.get("std", std.default), std.default, rtol=1e-6):
        return f"Random normal, σ = {number(params['std'])}"
    return spec.label


def _same(params: dict, settings: Mapping) -> bool:
    """Whether ``params`` give every one of ``settings`` (numbers to 6 digits)."""
    return all(isinstance(params.get(k), (int, float)) and np.isclose(params[k], v, rtol=1e-6)
               if isinstance(v, (int, float)) else params.get(k) == v for k, v in settings.items())


def activation_label(activation: str) -> str:
    return initcore.ACTIVATIONS[activation].label


def mid_sentence(label: str) -> str:
    """A label as a sentence's middle writes it: a plain word lower case (tanh's flat ends, leaky ReLU), a name of
    capitals as it is (ReLU, GELU)."""
    first = label.split(" ")[0]
    return label[0].lower() + label[1:] if first[1:] == first[1:].lower() else label


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


MINUS = "−"  # U+2212: a hyphen is shorter than a plus and reads as a dash
PLAIN = (1e-3, 1e4)  # numbers within these magnitudes are written out; others as a power of ten


def fraction(x: float, between: str = "/") -> str:
    """``x`` as a fraction where its decimals never end and a small one is exact (PyTorch's 1/3), else as
    ``number`` writes it; ``between`` goes between numerator and denominator."""
    exact = Fraction(x).limit_denominator(12)
    if exact.denominator > 1 and float(exact) == x and float(f"{x:.6g}") != x:
        return f"{exact.numerator}{between}{exact.denominator}"
    return number(x, 6)


def listed(items) -> str:
    """Items in words: "1", "1 and 2", "1, 2 and 5"."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def number(x: float, digits: int = 3) -> str:
    """``x`` as every page writes a number: ``digits`` significant digits (trailing zeros dropped), written out
    between 10⁻³ and 10⁴ (0.00123, 1230), as a power of ten beyond (1.21 × 10⁻²⁹, 10⁸), with a true minus
    sign; "inf", "−inf" and "NaN" as such."""
    x = float(x)
    if not np.isfinite(x):
        return "NaN" if np.isnan(x) else ("inf" if x > 0 else f"{MINUS}inf")
    if x == 0:
        return "0"
    rounded = float(f"{x:.{digits - 1}e}")  # 9.9996 to 3 digits is 10: its exponent is 1
    exponent = int(np.floor(np.log10(abs(rounded))))
    if PLAIN[0] <= abs(rounded) < PLAIN[1]:
        text = f"{round(x, digits - 1 - exponent):.{max(digits - 1 - exponent, 0)}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        mantissa = f"{x / 10.0**exponent:.{digits - 1}f}".rstrip("0").rstrip(".")
        power = "10" + str(exponent).translate(_SUPERSCRIPTS)
        text = power if mantissa in ("1", "-1") else f"{mantissa} × {power}"
        text = f"-{text}" if mantissa == "-1" else text
    return text.replace("-", MINUS)


def digits_apart(values, digits: int = 3, most: int = 15) -> int:
    """The fewest significant digits, ``digits`` or more (up to ``most``), that write each of ``values`` apart from
    every other it differs from (by more than 10⁻⁹ of itself): 1/1022 and 2/2046 both read 9.78 × 10⁻⁴ to 3; leaky
    ReLU's 1.9998 reads "2", He's own number, to 4."""
    values = [float(v) for v in values]
    differing = [(a, b) for k, a in enumerate(values) for b in values[k + 1:] if not np.isclose(a, b, rtol=1e-9)]
    return next((d for d in range(digits, most + 1) if all(number(a, d) != number(b, d) for a, b in differing)),
                most)


def number_apart(x: float, mark: float, digits: int = 3) -> str:
    """``number(x)`` with as many more digits as it takes (up to 15) not to read as ``mark`` where it is not:
    0.999935 beside 1 is "0.9999", not "1"."""
    text = number(x, digits)
    while x != mark and text == number(mark, digits) and digits < 15:
        digits += 1
        text = number(x, digits)
    return text


def number_sided(x: float, line: float, digits: int = 3) -> str:
    """``number(x)`` with as many more digits as it takes (up to 15) to read on ``x``'s side of ``line``: 0.3455, just
    under ½ ln 2 = 0.3466, is "0.346" at two digits asked, not "0.35"."""
    while digits < 15 and np.isfinite(x) and (float(f"{x:.{digits - 1}e}") < line) != (x < line):
        digits += 1
    return number(x, digits)


def written(values, digits: int = 3, missing: str = "inf/NaN") -> list[str]:
    """Each of ``values`` by ``number``; ``missing`` for inf/NaN (a table's cell, a chart's hover label)."""
    return [number(v, digits) if np.isfinite(v) else missing for v in np.asarray(values, dtype=float)]


def percent(share: float) -> str:
    """A share as a percentage by ``number`` (97 %, 49.8 %); "—" where there is none (a network with NaN
    outputs gives no answer at all)."""
    return f"{number(100 * share)} %" if np.isfinite(share) else "—"


def times(x: float, digits: int = 3) -> str:
    """A factor as the pages write it: ×0.91, ×10⁻⁷⁹, and ×(9.59 × 10⁻⁷⁹) where a power of ten has a mantissa
    (written bare, "×9.59 × 10⁻⁷⁹" reads as two factors)."""
    written = number(x, digits)
    return f"×({written})" if " × " in written else f"×{written}"


# How the charts look: Streamlit's own chart theme for this app's light theme (.streamlit/config.toml), written
# out as plotly layout settings, but with every word at least LEGIBLE times as dark as its background (WCAG's
# AA contrast for text): Streamlit's grey for ticks and axis titles, #808495, is 3.7:1 on white, and a
# projector washes pale text out first. The charts are shown with Streamlit's theme switched off (ui/show.py
# says why), so ui/figure.py gives every figure this style instead.
LEGIBLE = 4.5
INK, GREY, GRID, PAPER = "#1A1A1A", "#5E6270", "#E6EAF1", "#FFFFFF"
NO_ANSWER = "#D5D9E0"  # where a network's output is NaN: no colour of the answer scale
UNTRAINED = "#FBF1C7"  # a learning-rate sweep's cell whose run did not learn: paler than every one that did
FRAME = "#BFC5D0"  # the edge of a panel whose inside may be as white as the page (a network that cannot tell)
FAMILY = '"Source Sans", sans-serif'
FONT = dict(family=FAMILY, size=15, color=GREY)
SMALL_FONT = dict(family=FAMILY, size=12.75, color=GREY)
_AXIS = dict(tickfont=SMALL_FONT, gridcolor=GRID, zerolinecolor=GRID, ticklabelposition="outside", automargin=True)
_AXIS_TITLE_FONT = dict(family=FAMILY, size=14.875, color=GREY)
CHART_STYLE = dict(
    font=FONT, paper_bgcolor=PAPER, plot_bgcolor=PAPER, margin=dict(pad=8.5),
    title=dict(x=0, xanchor="left", pad=dict(l=4.25), font=dict(family=FAMILY, size=17, color=INK)),
    legend=dict(font=dict(family=FAMILY, size=12.75, color="#262730"), valign="top", borderwidth=0),
    hoverlabel=dict(bgcolor=PAPER, bordercolor="rgba(26, 26, 26, 0.2)", font=SMALL_FONT),
    xaxis=_AXIS | dict(showgrid=False, zeroline=False, title=dict(font=_AXIS_TITLE_FONT, standoff=21.25)),
    yaxis=_AXIS | dict(title=dict(font=_AXIS_TITLE_FONT, standoff=25.5)))


def contrast(colour: str, background: str = PAPER) -> float:
    """WCAG's contrast ratio of two ``#RRGGBB`` colours: (L₁ + 0.05) / (L₂ + 0.05), L the relative luminance of
    the lighter and of the darker, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.cache  # asked for the same few colours at every rerun
def legible(colour: str, background: str = PAPER) -> str:
    """``colour`` for words on ``background``: the colour itself where it is ``LEGIBLE`` already, else the
    lightest shade of it (the colour mixed with black, in steps of 1 %) that is."""
    for darkness in range(101):
        shade = tint(colour, 1 - darkness / 100, base="#000000")
        if contrast(shade, background) >= LEGIBLE:
            return shade
    return "#000000"


# Streamlit 1.67's colours for the pieces of highlighted code on its light theme, read off a page, and its code
# box's background. Numbers, strings and '=' were 2.6 to 2.9:1 there, brackets and dots 3.6:1: each is drawn in
# the lightest shade of its own hue that is ``LEGIBLE`` (``legible_code``).
CODE_BACKGROUND = "#F9FAFC"
CODE_TOKENS = {"boolean": "#21C354", "class-name": "#1C83E1", "comment": "#808495", "decorator": "#ED6F13",
               "function": "#1C83E1", "keyword": "#1C83E1", "number": "#29B09D", "operator": "#ED6F13",
               "punctuation": "#808495", "string": "#09AB3B"}


def legible_code() -> str:
    """CSS that draws each piece of highlighted code (``st.code``) in a ``LEGIBLE`` shade of Streamlit's colour."""
    return "".join(f"[data-testid=stCode] .token.{kind} {{ color: {legible(colour, CODE_BACKGROUND)} !important; }}\n"
                   for kind, colour in CODE_TOKENS.items())


def tint(colour: str, opacity: float, base: str = PAPER) -> str:
    """``colour`` laid with ``opacity`` over ``base``, as Plotly paints a translucent fill."""
    mixed = [round(b + opacity * (c - b)) for c, b in zip(_rgb(colour), _rgb(base), strict=True)]
    return "#{:02X}{:02X}{:02X}".format(*mixed)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


def _luminance(colour: str) -> float:
    """Relative luminance: the sRGB channels made linear, weighted as the eye weighs them."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in _rgb(colour))]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

"""One colour per scheme on every page (Okabe & Ito's colour-blind-safe palette), and shared labels."""

import initcore

_FAMILY_COLOURS = {
    "zeros": "#7F7F7F",
    "constant": "#E69F00",
    "small_normal": "#56B4E9",
    "large_normal": "#D55E00",
    "xavier": "#0072B2",
    "he": "#009E73",
    "lecun": "#CC79A7",
    "orthogonal": "#000000",
    "variance_scaling": "#A08C00",
}


def scheme_colour(scheme: str) -> str:
    """Xavier uniform and normal share Xavier's colour, and so on; uniform variants are drawn dashed."""
    return _FAMILY_COLOURS.get(scheme, _FAMILY_COLOURS.get(scheme.split("_")[0], "#333333"))


def scheme_dash(scheme: str) -> str:
    return "dash" if scheme.endswith("uniform") else "solid"


def scheme_label(scheme: str) -> str:
    return initcore.SCHEMES[scheme].label


def activation_label(activation: str) -> str:
    return initcore.ACTIVATIONS[activation].label


FONT = dict(size=15)

"""The same initialization written for PyTorch, Keras and JAX (all three store what this app calls W
differently: PyTorch as (out, in), Keras and JAX as (in, out) like initcore)."""

from __future__ import annotations

import initcore

_TORCH = {
    "xavier_normal": "torch.nn.init.xavier_normal_(layer.weight)",
    "xavier_uniform": "torch.nn.init.xavier_uniform_(layer.weight)",
    "he_normal": "torch.nn.init.kaiming_normal_(layer.weight, nonlinearity='{torch_name}')",
    "he_uniform": "torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity='{torch_name}')",
    "lecun_normal": "torch.nn.init.kaiming_normal_(layer.weight, nonlinearity='linear')",
    "lecun_uniform": "torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity='linear')",
    "orthogonal": "torch.nn.init.orthogonal_(layer.weight, gain={gain})",
}
_KERAS = {
    "xavier_normal": "keras.initializers.GlorotNormal()",
    "xavier_uniform": "keras.initializers.GlorotUniform()",
    "he_normal": "keras.initializers.HeNormal()",
    "he_uniform": "keras.initializers.HeUniform()",
    "lecun_normal": "keras.initializers.LecunNormal()",
    "lecun_uniform": "keras.initializers.LecunUniform()",
    "orthogonal": "keras.initializers.Orthogonal(gain={gain})",
}
_JAX = {
    "xavier_normal": "jax.nn.initializers.glorot_normal()",
    "xavier_uniform": "jax.nn.initializers.glorot_uniform()",
    "he_normal": "jax.nn.initializers.he_normal()",
    "he_uniform": "jax.nn.initializers.he_uniform()",
    "lecun_normal": "jax.nn.initializers.lecun_normal()",
    "lecun_uniform": "jax.nn.initializers.lecun_uniform()",
    "orthogonal": "jax.nn.initializers.orthogonal(scale={gain})",
}
_TORCH_NAMES = {"relu": "relu", "leaky_relu": "leaky_relu", "elu": "relu", "gelu": "relu", "selu": "selu",
                "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"}


def recipes(scheme: str, activation: str) -> dict[str, str]:
    """One line per framework for ``scheme``, each the formula the app shows and simulates (``gain_trial``
    tells what the gain PyTorch's docs add to Xavier changes)."""
    gain = initcore.ACTIVATIONS[activation].gain
    fill = dict(gain=f"{gain:.4g}", torch_name=_TORCH_NAMES[activation])
    return {framework: table[scheme].format(**fill) for framework, table in
            (("PyTorch", _TORCH), ("Keras", _KERAS), ("JAX", _JAX)) if scheme in table}


def gain_trial(scheme: str, activation: str) -> tuple[str, dict] | None:
    """PyTorch's docs pass Xavier the activation's gain (``xavier_normal_(w, gain=calculate_gain(…))``): what
    that changes, in a sentence, and the settings that show it on Signal propagation (Custom variance scaling:
    Xavier's own knobs with the scale times gain²). None where the scheme is not Xavier or the gain is 1."""
    gain = initcore.ACTIVATIONS[activation].gain
    if not scheme.startswith("xavier_") or gain == 1:
        return None
    knobs = initcore.SCHEMES[scheme].knobs
    settings = dict(activation=activation, scheme="variance_scaling", **knobs, depth=50)
    settings["scale"] = round(knobs["scale"] * gain**2, 4)
    sentence = (f"PyTorch's docs also pass `gain=calculate_gain('{_TORCH_NAMES[activation]}')` = {gain:.4g} to "
                f"Xavier: weights {gain:.4g}× as large, a variance {gain**2:.4g}× the formula's. In a deep plain "
                "network the forward signal then fades less, but the gradient grows on its way back.")
    return sentence, settings

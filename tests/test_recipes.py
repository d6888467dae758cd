"""Every framework one-liner draws exactly the distribution the app simulates.

The frameworks are not installed here, so each line runs against a stand-in of the framework's initializers
that follows its documentation and returns what the line would draw: the distribution, the standard deviation
of one weight and the bound of its support. PyTorch (torch/nn/init.py): xavier_* use gain·√(2/(fan_in +
fan_out)), kaiming_* gain/√fan with calculate_gain's table, trunc_normal_(std, a, b) cuts N(0, std²) at [a, b].
Keras (keras/src/initializers/random_initializers.py) and JAX (jax/_src/nn/initializers.py): VarianceScaling;
Glorot, He and Lecun *normal* are truncated normals (σ/0.87962566103423978 cut at ±2 of it).
"""

import math
from types import SimpleNamespace

import pytest

import initcore
from initcore.schemes import TRUNCATED_STD
from ui import recipes

FANS = [(256, 256), (300, 50), (20, 700)]
TORCH_GAIN2 = {"linear": 1.0, "relu": 2.0, "tanh": (5 / 3) ** 2, "selu": (3 / 4) ** 2, "sigmoid": 1.0}


def _spec(distribution, std, cut=None):
    bound = {"uniform": math.sqrt(3) * std, "truncated_normal": cut}.get(distribution)
    return dict(distribution=distribution, std=std, bound=bound)


def _variance_scaling(scale, mode, distribution):
    def draw(fan_in, fan_out):
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        std = math.sqrt(scale / fan)
        if distribution == "truncated_normal":
            return _spec("truncated_normal", std, 2 * std / TRUNCATED_STD)
        return _spec({"untruncated_normal": "normal"}.get(distribution, distribution), std)
    return draw


class _Weight:
    def __init__(self, fan_in, fan_out):
        self.shape = (fan_out, fan_in)  # PyTorch stores (out, in)


def _torch():
    def fans(w):
        return w.shape[1], w.shape[0]

    def xavier(distribution):
        return lambda w, gain=1.0: _spec(distribution, gain * math.sqrt(2 / sum(fans(w))))

    def kaiming(distribution):
        def init(w, a=0, mode="fan_in", nonlinearity="leaky_relu"):
            gain2 = 2 / (1 + a**2) if nonlinearity == "leaky_relu" else TORCH_GAIN2[nonlinearity]
            fan = dict(zip(("fan_in", "fan_out"), fans(w)))[mode]
            return _spec(distribution, math.sqrt(gain2 / fan))
        return init

    def trunc_normal_(w, std, a, b):
        assert a == pytest.approx(-2 * std) and b == pytest.approx(2 * std)  # the only cut whose std we know
        return _spec("truncated_normal", std * TRUNCATED_STD, b)

    def uniform_(w, a, b):
        assert a == -b
        return _spec("uniform", b / math.sqrt(3))

    def orthogonal_(w, gain):
        return dict(distribution="orthogonal", gain=gain)

    init = SimpleNamespace(xavier_normal_=xavier("normal"), xavier_uniform_=xavier("uniform"),
                           kaiming_normal_=kaiming("normal"), kaiming_uniform_=kaiming("uniform"),
                           normal_=lambda w, std: _spec("normal", std), uniform_=uniform_,
                           trunc_normal_=trunc_normal_, orthogonal_=orthogonal_)
    return SimpleNamespace(nn=SimpleNamespace(init=init))


def _named(scale, mode, distribution):
    return lambda: _variance_scaling(scale, mode, distribution)


KERAS = SimpleNamespace(initializers=SimpleNamespace(
    VarianceScaling=lambda scale, mode, distribution: _variance_scaling(scale, mode, distribution),
    GlorotNormal=_named(1.0, "fan_avg", "truncated_normal"), GlorotUniform=_named(1.0, "fan_avg", "uniform"),
    HeNormal=_named(2.0, "fan_in", "truncated_normal"), HeUniform=_named(2.0, "fan_in", "uniform"),
    LecunNormal=_named(1.0, "fan_in", "truncated_normal"), LecunUniform=_named(1.0, "fan_in", "uniform"),
    Orthogonal=lambda gain: lambda fan_in, fan_out: dict(distribution="orthogonal", gain=gain)))
_JAX_DISTRIBUTIONS = {"normal": "untruncated_normal"}
JAX = SimpleNamespace(nn=SimpleNamespace(initializers=SimpleNamespace(
    variance_scaling=lambda scale, mode, distribution: _variance_scaling(
        scale, mode, _JAX_DISTRIBUTIONS.get(distribution, distribution)),
    glorot_normal=_named(1.0, "fan_avg", "truncated_normal"), glorot_uniform=_named(1.0, "fan_avg", "uniform"),
    he_normal=_named(2.0, "fan_in", "truncated_normal"), he_uniform=_named(2.0, "fan_in", "uniform"),
    lecun_normal=_named(1.0, "fan_in", "truncated_normal"), lecun_uniform=_named(1.0, "fan_in", "uniform"),
    orthogonal=lambda scale: lambda fan_in, fan_out: dict(distribution="orthogonal", gain=scale))))


def _run(framework, line, fan_in, fan_out):
    if framework == "PyTorch":
        return eval(line, {"torch": _torch(), "math": math,
                           "layer": SimpleNamespace(weight=_Weight(fan_in, fan_out))})
    return eval(line, {"keras": KERAS, "jax": JAX})(fan_in, fan_out)


def _app(scheme, fan_in, fan_out, params):
    chosen = initcore.SCHEMES[scheme]
    noise = chosen.noise_for(chosen.resolve(**params))
    if noise == "orthogonal":
        return dict(distribution="orthogonal", gain=chosen.resolve(**params)["gain"])
    return dict(distribution=noise, std=chosen.std(fan_in, fan_out, **params),
                bound=chosen.bounds(fan_in, fan_out, **params) if noise != "normal" else None)


CASES = [(s, {}) for s in initcore.SCHEMES] + [
    ("variance_scaling", dict(scale=scale, mode=mode, distribution=distribution))
    for scale in (1.0, 2.0, 1.5505, 3.0, 0.5, 1 / 3, 25 / 9) for mode in ("fan_in", "fan_out", "fan_avg")
    for distribution in ("normal", "uniform", "truncated_normal")
] + [("orthogonal", dict(gain=5 / 3))]


@pytest.mark.parametrize("scheme, params", CASES)
def test_every_one_liner_draws_what_the_app_simulates(scheme, params):
    lines = recipes.recipes(scheme, **params)
    if initcore.SCHEMES[scheme].outcome == "fails":
        assert lines == {}  # no recipe for a lesson in what not to do
        return
    assert set(lines) == {"PyTorch", "Keras", "JAX"}
    for fan_in, fan_out in FANS:
        want = _app(scheme, fan_in, fan_out, params)
        for framework, line in lines.items():
            got = _run(framework, line, fan_in, fan_out)
            assert got.keys() == want.keys() and got["distribution"] == want["distribution"], (framework, line)
            for key in got.keys() - {"distribution"}:
                assert got[key] == (None if want[key] is None else pytest.approx(want[key], rel=1e-12, abs=0)), (
                    framework, line, key)


def test_the_frameworks_named_normals_are_not_the_app_s_untruncated_ones():
    """Keras' HeNormal() is a truncated normal: the app's He normal must not be written with it."""
    for scheme in ("xavier_normal", "he_normal", "lecun_normal"):
        lines = recipes.recipes(scheme)
        assert "untruncated_normal" in lines["Keras"] and '"normal"' in lines["JAX"]

"""Reuse across runs: a switch at the same seed, depth and width redoes only what it changes (no draw ever, no
matrix product for a scheme switch under a positively homogeneous activation), no number changes for it, and the
caches that make it so stay within their caps."""

import math
import threading

import numpy as np
import pytest
from test_propagation import float64_reference

import initcore
from initcore import noise, propagation
from initcore.homogeneous import UNIT_RUN_BYTES, UNIT_RUNS, derive
from initcore.noise import NOISE_BANK, NOISE_CACHE_BYTES
from initcore.propagation import COLUMNS, FORWARD_RUN_BYTES, FORWARD_RUNS, MAX_WEIGHTS, STREAM_COLUMNS

HISTOGRAMS = ("act_hist", "pre_hist", "grad_hist", "weight_hist")
NETWORK = dict(depth=30, width=64, batch=32, seed=5)


@pytest.fixture(autouse=True)
def forget():
    """Every test starts, and leaves, with nothing kept."""
    initcore.forget()
    yield
    initcore.forget()


def assert_bit_for_bit(a: initcore.Propagation, b: initcore.Propagation) -> None:
    """The same settings, and every column and histogram array with the same bytes (NaN, -0.0 and all)."""
    assert a.settings == b.settings and list(a.layers.columns) == list(COLUMNS + STREAM_COLUMNS)
    for column in COLUMNS + STREAM_COLUMNS:
        assert a.layers[column].to_numpy().tobytes() == b.layers[column].to_numpy().tobytes(), column
    for kind in HISTOGRAMS:
        for name, array in vars(getattr(a, kind)).items():
            assert array.tobytes() == getattr(getattr(b, kind), name).tobytes(), (kind, name)


def counting(monkeypatch, module, name: str) -> list:
    """Count the calls of ``module.name`` from now on: the list grows by one per call."""
    calls, original = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


PRODUCTS = 2 * NETWORK["depth"] - 1
SWITCHES = [  # (before, after, matrix products the switch must do)
    (dict(activation="relu", scheme="xavier_normal"), dict(activation="relu", scheme="he_normal"), 0),
    (dict(activation="leaky_relu", scheme="he_uniform"), dict(activation="leaky_relu", scheme="lecun_uniform"), 0),
    (dict(activation="linear", scheme="orthogonal"), dict(activation="linear", scheme="orthogonal", gain=1.5), 0),
    (dict(activation="relu", scheme="he_normal"), dict(activation="relu", scheme="large_normal"), 0),  # overflows
    (dict(activation="relu", scheme="he_normal"), dict(activation="relu", scheme="small_normal"), PRODUCTS),  # fades
    (dict(activation="tanh", scheme="xavier_normal"), dict(activation="tanh", scheme="he_normal"), PRODUCTS),
    (dict(activation="relu", scheme="he_normal"), dict(activation="tanh", scheme="he_normal"), PRODUCTS),
]


@pytest.mark.parametrize("before, after, products", SWITCHES)
def test_a_switch_draws_nothing_multiplies_only_what_it_must_and_equals_a_fresh_simulation(before, after, products,
                                                                                           monkeypatch):
    """A scheme switch under ReLU, leaky ReLU or linear units is derived from the unit network, with no product,
    even where the signal overflows; one whose signal fades below float32's normal numbers (small weights, 30
    layers: about 10⁻⁶⁰) is simulated in full, and so is any switch under tanh or to another activation. None
    draws a number, and each gives what a fresh simulation of the same settings gives, to the last bit."""
    initcore.simulate(**NETWORK, **before)
    multiplied, drawn = counting(monkeypatch, propagation, "_scaled_product"), counting(monkeypatch, noise, "stream")
    switched = initcore.simulate(**NETWORK, **after)
    assert (len(multiplied), len(drawn)) == (products, 0)
    initcore.forget()
    assert_bit_for_bit(switched, initcore.simulate(**NETWORK, **after))


def test_sessions_on_other_seeds_never_see_each_other_s_draws(monkeypatch):
    """Four sessions at once, two on each of two seeds, each switching scheme and activation: each sees what it
    would see alone, each seed's unit network is computed once, and the two seeds' numbers differ."""
    steps = [dict(activation="relu", scheme="he_normal"), dict(activation="relu", scheme="xavier_normal"),
             dict(activation="tanh", scheme="xavier_normal")]
    network = {k: v for k, v in NETWORK.items() if k != "seed"}
    alone = {}
    for seed in (1, 2):
        for step in steps:
            initcore.forget()
            alone[seed, step["activation"], step["scheme"]] = initcore.simulate(seed=seed, **network, **step)
    initcore.forget()
    unit_runs = counting(monkeypatch, propagation._UnitBlock, "unit_run")
    together, start = {}, threading.Barrier(4, timeout=10)

    def session(seed: int, order: list[dict]) -> None:
        start.wait()
        for step in order:
            together[seed, step["activation"], step["scheme"], threading.get_ident()] = initcore.simulate(
                seed=seed, **network, **step)

    sessions = [threading.Thread(target=session, args=(seed, order))
                for seed in (1, 2) for order in (steps, steps[::-1])]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join(60)
    assert len(together) == 4 * len(steps) and len(unit_runs) == 2
    for (seed, activation, scheme, _), run in together.items():
        assert_bit_for_bit(run, alone[seed, activation, scheme])
    assert not alone[1, "relu", "he_normal"].layers.pre_var.equals(alone[2, "relu", "he_normal"].layers.pre_var)


def test_the_caches_stay_within_their_caps_and_count_the_memory_they_hold(monkeypatch):
    """The defaults: the bank holds every draw of the largest network the budget allows (depth·width² ≤
    MAX_WEIGHTS float32 numbers) and its inputs, and the three caches hold 516 MiB at most. With caps of a few
    entries, a class on many seeds evicts the least recently used, and the bytes counted are the distinct blocks
    of memory still held."""
    largest_inputs = 2 * 256 * 1024 * 4  # batch 256 at width 1024: the input and the upstream gradient
    assert MAX_WEIGHTS * 4 + largest_inputs <= NOISE_CACHE_BYTES == NOISE_BANK.max_bytes
    caches = (UNIT_RUNS, NOISE_BANK, FORWARD_RUNS)
    assert sum(cache.max_bytes for cache in caches) == NOISE_CACHE_BYTES + UNIT_RUN_BYTES + FORWARD_RUN_BYTES
    assert NOISE_CACHE_BYTES + UNIT_RUN_BYTES + FORWARD_RUN_BYTES == 516 * 2**20
    initcore.simulate(**NETWORK, activation="relu", scheme="he_normal")
    unit_bytes, bank_bytes, forward_bytes = UNIT_RUNS.nbytes, NOISE_BANK.nbytes, FORWARD_RUNS.nbytes
    monkeypatch.setattr(UNIT_RUNS, "max_bytes", 3 * unit_bytes)
    monkeypatch.setattr(NOISE_BANK, "max_bytes", 2 * bank_bytes)
    monkeypatch.setattr(FORWARD_RUNS, "max_bytes", 3 * forward_bytes)
    for seed in range(6):
        initcore.simulate(**{**NETWORK, "seed": seed}, activation="relu", scheme="xavier_normal")
        for cache in caches:
            blocks = {id(block): block.nbytes for held in cache._blocks.values() for block in held}
            assert cache.nbytes == sum(blocks.values()) <= cache.max_bytes
    assert len(UNIT_RUNS) == len(FORWARD_RUNS) == 3 and NOISE_BANK.nbytes > bank_bytes
    for cache in (UNIT_RUNS, FORWARD_RUNS):
        assert {key[0] for key in cache._entries} == {3, 4, 5}  # the three seeds used last


@pytest.mark.parametrize("activation, scheme", [("tanh", "xavier_normal"), ("relu", "he_normal"),
                                                ("gelu", "he_uniform"), ("sigmoid", "large_normal")])
def test_a_depth_step_multiplies_only_the_layers_it_adds_and_the_backward_pass(activation, scheme, monkeypatch):
    """Layer l's forward pass is the same at every depth: after a run at depth 30, a step to depth 20 does only the
    backward pass's 19 products and draws nothing; a step to 35 multiplies the 5 layers it adds and 34 on the way
    back. Each gives what a fresh simulation of its depth gives, to the last bit."""
    network = {**NETWORK, "activation": activation, "scheme": scheme}
    for depth, products in ((20, 19), (35, 5 + 34)):
        initcore.forget()
        initcore.simulate(**network)
        multiplied = counting(monkeypatch, propagation, "_scaled_product")
        drawn = counting(monkeypatch, noise, "stream")
        stepped = initcore.simulate(**{**network, "depth": depth})
        monkeypatch.undo()
        assert len(multiplied) == products and (depth > NETWORK["depth"] or not drawn), depth
        initcore.forget()
        assert_bit_for_bit(stepped, initcore.simulate(**{**network, "depth": depth}))


def test_a_forward_pass_that_overflowed_is_not_kept():
    """Large random weights under ELU overflow float32 within 30 layers: nothing is kept of that forward pass (a
    step then computes its own), while the same weights under tanh leave theirs."""
    overflowed = initcore.simulate(**NETWORK, activation="elu", scheme="large_normal")
    assert overflowed.exploded_at is not None and not FORWARD_RUNS._entries
    initcore.simulate(**NETWORK, activation="tanh", scheme="large_normal")
    assert len(FORWARD_RUNS) == 1


@pytest.mark.parametrize("activation, scheme, params, depth, width, batch", [
    ("relu", "he_normal", {}, 40, 128, 256),
    ("leaky_relu", "variance_scaling", dict(distribution="truncated_normal", scale=2.0), 120, 128, 64),
    ("linear", "orthogonal", dict(gain=2.0), 150, 64, 64),  # overflows at about layer 64
    ("relu", "large_normal", {}, 60, 64, 256),  # overflows
])
def test_a_derived_run_is_the_float64_network_to_float32_s_rounding(activation, scheme, params, depth, width, batch):
    """Derived from the unit network, whose layers are rescaled by powers of two only, every variance is that of a
    float64 run of the same draws to about ε·√width per layer (allowed 100 times over, as in test_propagation),
    and the first layer whose true values pass float32's largest number is the float64 run's. 120 layers of leaky
    ReLU drift out of that bound when each product is scaled by c in float32, as before the unit network (1.8 %)."""
    kwargs = dict(depth=depth, width=width, activation=activation, scheme=scheme, batch=batch, seed=7, **params)
    run = initcore.simulate(**kwargs)
    rows, exploded, _ = float64_reference(**kwargs)
    assert len(UNIT_RUNS) == 1 and run.exploded_at == exploded
    rel = 100 * depth * math.sqrt(width) * float(np.finfo(np.float32).eps)
    for column in ("pre_var", "act_var", "grad_var"):
        expected = [row.get(column, np.nan) for row in rows] + [np.nan] * (depth - len(rows))
        np.testing.assert_allclose(run.layers[column], expected, rtol=rel, err_msg=column)


@pytest.mark.parametrize("activation", ["linear", "relu", "leaky_relu"])
@pytest.mark.parametrize("scheme, params", [("he_normal", {}), ("xavier_uniform", {}), ("orthogonal", dict(gain=1.3)),
                                            ("large_normal", dict(std=3.0)), ("small_normal", dict(std=0.3)),
                                            ("variance_scaling", dict(distribution="truncated_normal"))])
def test_derived_and_fully_simulated_runs_tell_the_same_story(activation, scheme, params, monkeypatch):
    """The same run derived and simulated in full (as the engine does where it cannot derive): the same layers
    overflow, die and vanish, and every statistic agrees to float32's rounding (the bound above)."""
    kwargs = dict(depth=30, width=32, batch=16, seed=11, activation=activation, scheme=scheme, **params)
    derived = initcore.simulate(**kwargs)
    assert len(UNIT_RUNS) == 1
    monkeypatch.setattr(propagation, "likely_derivable", lambda *args, **kw: False)
    simulated = initcore.simulate(**kwargs)
    for column in ("exploded", "vanished", "grad_exploded", "grad_vanished", "frac_dead", "frac_saturated"):
        assert derived.layers[column].equals(simulated.layers[column]), column
    rel = 100 * 30 * math.sqrt(32) * float(np.finfo(np.float32).eps)
    for column in ("weight_std", "pre_mean", "pre_var", "act_mean", "act_var", "grad_var"):
        np.testing.assert_allclose(derived.layers[column], simulated.layers[column], rtol=rel, atol=0, err_msg=column)


def test_a_run_whose_values_float32_would_flush_is_not_derived():
    """Small weights in a deep ReLU network fade below float32's smallest normal number: the engine does not try
    the unit network (expected to fade), and the unit network of a healthy scheme, scaled that far down, refuses."""
    faded = initcore.simulate(depth=50, width=256, activation="relu", scheme="small_normal")
    assert len(UNIT_RUNS) == 0 and faded.vanished_at is not None
    initcore.simulate(depth=50, width=256, activation="relu", scheme="he_normal")
    (unit,) = UNIT_RUNS._entries.values()
    act = initcore.ACTIVATIONS["relu"]
    assert derive(unit, 0.01, act, np.dtype(np.float32)) is None
    assert derive(unit, math.sqrt(2 / 256), act, np.dtype(np.float32)) is not None


@pytest.mark.parametrize("activation", ["selu", "gelu", "elu"])
def test_a_compared_run_that_overflows_equals_the_same_run_alone(activation):
    """Large weights under SELU overflow at layer 19 of 50, beside a run that does not. Compared, the table went on
    giving the weights' spread (10) above the overflow, where the same run alone has no value there."""
    settings = dict(depth=50, width=256, activation=activation, seed=0, batch=256)
    compared = initcore.simulate_many(schemes={"large_normal": {}, "small_normal": {}}, **settings)
    for scheme in ("large_normal", "small_normal"):
        alone = initcore.simulate(scheme=scheme, **settings)
        assert compared.runs[scheme].layers.equals(alone.layers), scheme
    assert compared.runs["large_normal"].exploded_at is not None

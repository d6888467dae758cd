"""initcore: the numbers behind initlab — weight-initialization schemes, activations, signal propagation,
theory, toy data sets and a tiny numpy MLP trainer. numpy and pandas only; usable from a notebook.

    >>> import initcore
    >>> run = initcore.simulate(depth=50, width=256, activation="relu", scheme="he_normal")
    >>> run.layers[["layer", "pre_var", "grad_var"]].tail(3)
"""

from initcore import theory
from initcore.activations import ACTIVATIONS, Activation, get_activation
from initcore.datasets import DATASETS, make_dataset, train_test_split
from initcore.histograms import LayerHistograms
from initcore.jacobian import jacobian_spectra, jacobian_spectrum
from initcore.noise import NOISE_BANK
from initcore.propagation import Propagation, Propagations, forget, simulate, simulate_many
from initcore.schemes import SCHEMES, Scheme, get_scheme, init_weights, scheme_std
from initcore.sweep import SWEEP_LRS, lr_sweep
from initcore.training import LAB_SCHEMES, Comparison, TrainingRun, compare, train, train_all

__all__ = [
    "ACTIVATIONS", "DATASETS", "LAB_SCHEMES", "NOISE_BANK", "SCHEMES", "SWEEP_LRS", "Activation", "Comparison",
    "LayerHistograms", "Propagation", "Propagations", "Scheme", "TrainingRun", "compare", "forget", "get_activation",
    "get_scheme", "init_weights", "jacobian_spectra", "jacobian_spectrum", "lr_sweep", "make_dataset", "scheme_std",
    "simulate",
    "simulate_many", "theory", "train", "train_all",
    "train_test_split",
]

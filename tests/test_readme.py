"""The README's code runs as written, and its comments say what the code gives."""

import math
import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def python_blocks(section: str) -> list[str]:
    """The ```python blocks of a README section (from its heading to the next one of any level)."""
    body = README.split(f"\n{section}\n", 1)[1]
    body = re.split(r"\n#{2,3} ", body, maxsplit=1)[0]
    return re.findall(r"```python\n(.*?)```", body, flags=re.S)


def test_the_notebook_example_runs_and_its_comments_hold():
    namespace: dict = {}
    exec(python_blocks("## The engine, from a notebook")[0], namespace)
    run, lab = namespace["run"], namespace["lab"]
    assert (run.exploded_at, run.vanished_at) == (None, None)  # "None, None"
    assert list(run.layers[["layer", "pre_var", "grad_var"]].tail().layer) == [46, 47, 48, 49, 50]
    summary = lab.summary.set_index("scheme")
    assert math.isclose(summary.final_loss["zeros"], math.log(2), abs_tol=1e-3)  # "zeros stay at ln 2"
    assert summary.diverged_epoch["large_normal"] >= 1  # "large diverges"
    assert summary.test_accuracy["he_normal"] > 0.95  # "He learns"
    biased = namespace["biased"].layers  # "Var z holds; what tells inputs apart vanishes"
    assert 0.1 < biased.stream_var.iloc[-1] / biased.stream_var.iloc[0] < 10
    assert biased.stream_input_var.iloc[-1] / biased.stream_input_var.iloc[0] < 1e-2


def test_a_scheme_is_one_line_as_the_readme_shows():
    from initcore.schemes import variance_scaling

    line = python_blocks("### Add a scheme or an activation")[0].strip().rstrip(",")
    scheme = eval(line, {"variance_scaling": variance_scaling})
    assert (scheme.id, scheme.label, dict(scheme.knobs)) == (
        "my_scheme", "My scheme", {"scale": 1.5, "mode": "fan_in", "distribution": "normal"})
    assert math.isclose(scheme.std(300, 100), math.sqrt(1.5 / 300))


def test_the_readme_states_the_shared_caches_cap_that_the_engine_holds():
    """Issue 29: the reuse shared by every session lives in caches with a memory cap that the README states (and
    ``test_reuse`` checks the engine holds to it)."""
    from initcore.homogeneous import UNIT_RUNS
    from initcore.noise import NOISE_BANK
    from initcore.propagation import FORWARD_RUNS

    caps = [cache.max_bytes / 2**20 for cache in (NOISE_BANK, UNIT_RUNS, FORWARD_RUNS)]
    text = README
    assert f"capped at **{sum(caps):.0f} MiB in all** (the base draws {caps[0]:.0f} MiB, the ReLU family's unit " \
           f"networks {caps[1]:.0f} MiB, forward passes {caps[2]:.0f} MiB" in " ".join(text.split())


def test_an_activation_is_one_line_as_the_readme_shows_and_passes_the_activation_tests(monkeypatch):
    """The README's softsign, registered as written, passes each test of ``test_activations`` that every activation
    goes through, with nothing else to edit: the derivative check had needed it put on a list of kinked
    activations (its f'' jumps at 0)."""
    import numpy as np

    import initcore
    from initcore.activations import Activation
    from tests import test_activations

    functions, line = python_blocks("### Add a scheme or an activation")[1].strip().rsplit("\n\n", 1)
    namespace = {"np": np, "Activation": Activation}
    exec(functions, namespace)
    softsign = eval(line.rstrip(","), namespace)
    every = list(initcore.ACTIVATIONS)
    checks = [check for name, check in vars(test_activations).items() if name.startswith("test_") and any(
        mark.name == "parametrize" and list(mark.args[1]) == every for mark in getattr(check, "pytestmark", []))]
    assert len(checks) >= 8
    monkeypatch.setattr(initcore, "ACTIVATIONS", initcore.ACTIVATIONS | {"softsign": softsign})
    for check in checks:
        check("softsign")

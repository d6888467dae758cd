"""The Choosing page's fan calculator for convolutions: a conv layer's fans are kernel area × channels, every
scheme's σ follows from them, and each framework's conv line draws exactly that.

As in test_recipes, the frameworks are not installed: each line runs against a stand-in that counts the fans
from the kernel's shape as the framework does. PyTorch (torch/nn/init.py, _calculate_fan_in_and_fan_out): a
weight (out, in, *kernel), fan_in = in · ∏kernel, fan_out = out · ∏kernel. Keras (keras/src/initializers/
random_initializers.py, compute_fans) and JAX (jax/_src/nn/initializers.py, _compute_fans with in_axis=-2,
out_axis=-1): a kernel (*kernel, in, out), the receptive field ∏kernel times the channels.
"""

import math
from types import SimpleNamespace

import pytest
from test_app import LINK_NOTE, open_page
from test_recipes import CASES, JAX, KERAS, TORCH_GAIN2, _app, _spec

import initcore
from initcore.schemes import TRUNCATED_STD, conv_fans
from ui import recipes, tables, theme

PAGE = "pages/5_Choosing_an_initializer.py"
LAYERS = [(2, 3, 64, 128), (1, 3, 64, 128), (2, 1, 256, 256), (1, 11, 4096, 1), (2, 7, 3, 64)]


def test_a_conv_layer_s_fans_are_kernel_area_times_channels():
    assert conv_fans(3, 64, 128) == (576, 1152)  # 3·3·64, 3·3·128
    assert conv_fans(3, 64, 128, dims=1) == (192, 384)
    assert conv_fans(1, 256, 512) == (256, 512)  # a 1×1 convolution is a dense layer at every position
    assert conv_fans(3, 8, 8, dims=3) == (216, 216)


@pytest.mark.parametrize("args, kwargs, name", [
    ((0, 64, 64), {}, "kernel"), ((3, -1, 64), {}, "c_in"), ((3, 64, 2.5), {}, "c_out"),
    ((3, 64, 64), dict(dims=4), "dims"), (("3", 64, 64), {}, "kernel")])
def test_a_bad_conv_shape_says_what_is_allowed(args, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}=.*expected a whole number from 1 to"):
        conv_fans(*args, **kwargs)


def test_he_on_a_3x3_conv_with_64_channels_draws_sigma_sqrt_2_over_576():
    """The lesson's point, in the engine and in the table the page shows."""
    assert initcore.scheme_std("he_normal", *conv_fans(3, 64, 64)) == pytest.approx(math.sqrt(2 / 576), rel=1e-12)
    table = tables.conv_schemes(2, 3, 64, 64).set_index("scheme")
    he = table.loc[initcore.SCHEMES["he_normal"].label]
    assert he.variance == "2/576" and he.sigma == theme.number(math.sqrt(2 / 576)) == "0.0589"


@pytest.mark.parametrize("dims, kernel, c_in, c_out", LAYERS)
def test_the_table_gives_each_variance_scaling_scheme_its_sigma_and_bound_for_the_conv_fans(dims, kernel, c_in, c_out):
    fan_in, fan_out = kernel**dims * c_in, kernel**dims * c_out
    table = tables.conv_schemes(dims, kernel, c_in, c_out)
    assert list(table.columns) == list(tables.CONV_COLUMNS)
    family = [s for s in initcore.SCHEMES.values() if s.knobs]  # the fixed σ, orthogonal and custom: not here
    assert list(table.scheme) == [s.label for s in family]
    for row, s in zip(table.itertuples(), family, strict=True):
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[s.knobs["mode"]]
        assert row.sigma == theme.number(math.sqrt(s.knobs["scale"] / fan)), s.id
        written = row.variance.replace("(1/3)", str(1 / 3)).replace("(", "").replace(")", "")  # "2/576+1152"
        scale, fans = written.split("/")
        assert float(scale) / sum(map(int, fans.split("+"))) == pytest.approx(s.knobs["scale"] / fan), s.id
        bound = s.bounds(fan_in, fan_out)
        assert row.bound == ("unbounded" if bound is None else theme.number(bound)), s.id
    for config in tables.CONV_COLUMNS.values():
        assert config["label"]


class _Tensor:
    """A stand-in for a torch tensor: its shape, indexing by integers and slices, numel."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        kept = [n for axis, n in enumerate(self.shape) if axis >= len(index) or not isinstance(index[axis], int)]
        return _Tensor(kept)

    def numel(self):
        return math.prod(self.shape)


def _torch(dims):
    def fans(w):  # torch.nn.init._calculate_fan_in_and_fan_out
        receptive = math.prod(w.shape[2:])
        return w.shape[1] * receptive, w.shape[0] * receptive

    def xavier(distribution):
        return lambda w, gain=1.0: _spec(distribution, gain * math.sqrt(2 / sum(fans(w))))

    def kaiming(distribution):
        def init(w, a=0, mode="fan_in", nonlinearity="leaky_relu"):
            gain2 = 2 / (1 + a**2) if nonlinearity == "leaky_relu" else TORCH_GAIN2[nonlinearity]
            return _spec(distribution, math.sqrt(gain2 / dict(zip(("fan_in", "fan_out"), fans(w)))[mode]))
        return init

    def trunc_normal_(w, std, a, b):
        assert a == pytest.approx(-2 * std) and b == pytest.approx(2 * std)
        return _spec("truncated_normal", std * TRUNCATED_STD, b)

    def uniform_(w, a, b):
        assert a == -b
        return _spec("uniform", b / math.sqrt(3))

    def conv(expected_dims):
        def build(c_in, c_out, kernel_size):
            assert expected_dims == dims and isinstance(kernel_size, int)
            return SimpleNamespace(weight=_Tensor((c_out, c_in) + (kernel_size,) * dims))
        return build

    init = SimpleNamespace(xavier_normal_=xavier("normal"), xavier_uniform_=xavier("uniform"),
                           kaiming_normal_=kaiming("normal"), kaiming_uniform_=kaiming("uniform"),
                           normal_=lambda w, std: _spec("normal", std), uniform_=uniform_,
                           trunc_normal_=trunc_normal_,
                           orthogonal_=lambda w, gain: dict(distribution="orthogonal", gain=gain))
    return SimpleNamespace(nn=SimpleNamespace(init=init, Conv1d=conv(1), Conv2d=conv(2), Conv3d=conv(3)))


def _channels_last(kernel_size, c_in, filters, init):
    """Keras' compute_fans and JAX's _compute_fans for a kernel (*kernel_size, c_in, filters)."""
    receptive = math.prod(kernel_size)
    return init(c_in * receptive, filters * receptive)


def _keras(dims):
    def conv(expected_dims):
        def build(filters, kernel_size, kernel_initializer):
            assert expected_dims == dims and isinstance(kernel_size, int)  # an int k means k along every axis
            return lambda c_in: _channels_last((kernel_size,) * dims, c_in, filters, kernel_initializer)
        return build

    return SimpleNamespace(initializers=KERAS.initializers,
                           layers=SimpleNamespace(Conv1D=conv(1), Conv2D=conv(2), Conv3D=conv(3)))


def _flax(dims):
    def conv(features, kernel_size, kernel_init):
        assert isinstance(kernel_size, tuple) and len(kernel_size) == dims
        return lambda c_in: _channels_last(kernel_size, c_in, features, kernel_init)

    return SimpleNamespace(linen=SimpleNamespace(Conv=conv))


def _run_conv(framework, code, layer):
    """What ``code`` draws for ``layer``: PyTorch's lines build the layer and draw its weight again (the last
    line's value); Keras' and Flax's build a layer whose kernel is drawn once it meets its C_in channels."""
    if framework == "PyTorch":
        scope = {"torch": _torch(layer.dims), "math": math}
        *build, last = code.split("\n")
        exec("\n".join(build), scope)
        return eval(last, scope)
    scope = {"keras": _keras(layer.dims), "jax": JAX, "flax": _flax(layer.dims)}
    return eval(code, scope)(layer.c_in)


@pytest.mark.parametrize("dims, kernel, c_in, c_out", LAYERS)
@pytest.mark.parametrize("scheme, params", CASES)
def test_every_conv_line_draws_what_the_table_says(scheme, params, dims, kernel, c_in, c_out):
    layer = recipes.Conv(dims, kernel, c_in, c_out)
    lines = recipes.recipes(scheme, layer, **params)
    assert lines.keys() == recipes.recipes(scheme, **params).keys()  # the same schemes, dense or conv
    if not lines:
        return
    assert lines["PyTorch"].startswith(f"conv = torch.nn.Conv{dims}d({c_in}, {c_out}, kernel_size={kernel})\n")
    want = _app(scheme, *conv_fans(kernel, c_in, c_out, dims=dims), params)
    for framework, code in lines.items():
        got = _run_conv(framework, code, layer)
        assert got.keys() == want.keys() and got["distribution"] == want["distribution"], (framework, code)
        for key in got.keys() - {"distribution"}:
            assert got[key] == (None if want[key] is None else pytest.approx(want[key], rel=1e-5, abs=0)), (
                framework, code, key)


def test_a_conv_line_wraps_the_dense_line_s_initializer():
    """One mechanism: the conv lines hold the dense lines' initializers (PyTorch's on conv.weight)."""
    dense = recipes.recipes("he_normal")
    conv = recipes.recipes("he_normal", recipes.Conv(2, 3, 64, 128))
    assert conv["PyTorch"].endswith(dense["PyTorch"].replace("layer.weight", "conv.weight"))
    assert conv["Keras"] == f"keras.layers.Conv2D(128, 3, kernel_initializer={dense['Keras']})"
    assert conv["JAX"] == f"flax.linen.Conv(128, (3, 3), kernel_init={dense['JAX']})"
    assert "(3,)" in recipes.recipes("he_normal", recipes.Conv(1, 3, 64, 128))["JAX"]


# ---- the page ---------------------------------------------------------------------------------------------


def _conv_table(at):
    return next(frame.value for frame in at.dataframe if "variance" in frame.value.columns).set_index("scheme")


def test_the_page_shows_the_fans_the_sigmas_and_the_conv_lines():
    at = open_page(PAGE, activation="ReLU")
    assert not at.exception
    assert any(r"3^2 \cdot 64 = 576" in f.value and r"3^2 \cdot 128 = 1152" in f.value for f in at.latex)
    lesson = next(m.value for m in at.markdown if "kernel area × input channels" in m.value)
    assert f"σ = √(2/576) = {theme.number(math.sqrt(2 / 576))}, not √(2/64) = {theme.number(math.sqrt(2 / 64))}" in (
        lesson)
    assert _conv_table(at).loc["He/Kaiming normal", "variance"] == "2/576"
    # ReLU's scheme, He: counted by channels, σ would be k = 3 times too large, its variance k² = 9 times
    slip = next(m.value for m in at.markdown if "Counted by its channels alone" in m.value)
    assert f"σ = {theme.number(math.sqrt(2 / 576))}" in slip and f"σ = {theme.number(math.sqrt(2 / 64))}" in slip
    assert "3 times too large, a variance 9 times" in slip
    codes = [c.value for c in at.code]
    assert "conv = torch.nn.Conv2d(64, 128, kernel_size=3)\ntorch.nn.init.kaiming_normal_(conv.weight, " \
           "nonlinearity='relu')" in codes


def test_moving_the_controls_recomputes_the_fans_and_a_link_to_the_view_reopens_it():
    at = open_page(PAGE)
    at.segmented_control(key="conv").set_value("1d").run()
    at.slider(key="kernel").set_value(5).run()
    at.number_input(key="c_in").set_value(3.0).run()
    at.number_input(key="c_out").set_value(16.0).run()
    assert not at.exception
    assert any(r"n_{\rm in} &= k\, C_{\rm in} = 5 \cdot 3 = 15" in f.value for f in at.latex)
    table = _conv_table(at)
    assert table.loc["LeCun normal", "variance"] == "1/15" and table.loc["LeCun normal", "sigma"] == theme.number(
        math.sqrt(1 / 15))
    assert "flax.linen.Conv(16, (5,), kernel_init=" in " ".join(c.value for c in at.code)
    # the link the bound controls write (labels, whole numbers as the boxes show them) opens the same view
    again = open_page(PAGE, conv="1-D", kernel="5", c_in="3", c_out="16")
    assert not again.warning and _conv_table(again).equals(table)


def test_a_kernel_of_1_is_told_as_a_dense_layer_at_every_position():
    at = open_page(PAGE, kernel="1")
    assert any("dense layer applied at every position" in m.value for m in at.markdown)
    assert not any("Counted by its channels alone" in m.value for m in at.markdown)


@pytest.mark.parametrize("query, note, taken", [
    (dict(kernel="99"), "kernel=99 is outside 1–11; using 11", dict(kernel=11)),
    (dict(kernel="2.5"), "not a whole number; using 3", dict(kernel=3)),  # a slider rounds as c_in's box does
    (dict(c_in="2.5"), "not a whole number; using 3", dict(c_in=3.0)),
    (dict(c_in="abc"), "c_in='abc' is not a number; using 64", dict(c_in=64.0)),
    (dict(c_in="1e400"), "not a finite number; using 64", dict(c_in=64.0)),
    (dict(c_out="100000"), "c_out=100000 is outside 1–4096; using 4096", dict(c_out=4096.0)),
    (dict(c_out="-3"), "using 1", dict(c_out=1.0)),
    (dict(c_in="7.6"), "not a whole number; using 8", dict(c_in=8.0)),
    (dict(conv="3d"), "conv='3d' is not one of the choices; using 2-D", dict(conv="2d")),
])
def test_garbage_in_the_address_is_clamped_with_a_note_and_the_page_settles(query, note, taken):
    first = open_page(PAGE, **query)
    assert not first.exception
    assert any(note in w.value for w in first.warning if w.icon == LINK_NOTE), [w.value for w in first.warning]
    kinds = dict(kernel="slider", c_in="number_input", c_out="number_input", conv="segmented_control")
    for key, value in taken.items():
        assert next(w for w in first.get(kinds[key]) if w.key == key).value == value
    settled = open_page(PAGE, **dict(first.query_params))  # the address bar the page left
    assert not [w.value for w in settled.warning if w.icon == LINK_NOTE]
    assert _conv_table(settled).equals(_conv_table(first))


def test_a_typed_channel_count_out_of_range_is_clamped_with_the_range_said():
    at = open_page(PAGE)
    at.number_input(key="c_in").set_value(10000.0).run()
    assert not at.exception and at.number_input(key="c_in").value == 4096.0
    assert any("using 4096" in w.value for w in at.warning)
    assert _conv_table(at).loc["He/Kaiming normal", "variance"] == f"2/{9 * 4096}"

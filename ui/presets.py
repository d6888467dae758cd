"""The classic experiments, as settings for the pages' controls (and so as shareable links)."""

from __future__ import annotations

import math

import streamlit as st

import initcore
from ui import controls

PROPAGATION = "pages/2_Signal_propagation.py"
TRAINING = "pages/4_Training_lab.py"
DEEP = "pages/8_Deep_networks_in_practice.py"

# Every control of a lesson that a classic's settings leave out, at the plain network the classic tells of: so that
# picking a classic sets each of them too, and moving one (a bias, another shape) drops its story.
PLAIN = {
    PROPAGATION: dict(shape="constant", bias_std=0.0),
    TRAINING: dict(shape="constant"),
    DEEP: dict(depth=50, width=256, shape="constant", residual="none", norm="none", bias_std=0.0),
}


PRESETS = {
    "cs231n_small": dict(
        page=PROPAGATION, label="CS231n: 0.01·randn", title="CS231n: 10 tanh layers of 500 units, 0.01·randn",
        story="Activations shrink layer by layer and collapse to zero: the last layers' histograms are a spike.",
        settings=dict(depth=10, width=500, activation="tanh", scheme="small_normal", std=0.01)),
    "cs231n_one": dict(
        page=PROPAGATION, label="CS231n: 1·randn", title="CS231n: the same net with 1·randn",
        story="About 92 % of the tanh units sit at ±1, where their slope is nearly 0: the histograms pile up at "
              "the ends. The gradient does not simply vanish, though: the few units still in their slope pass it "
              "through large weights, and it grows about 12× per layer going back (see the Gradients tab).",
        settings=dict(depth=10, width=500, activation="tanh", scheme="large_normal", std=1.0)),
    "cs231n_xavier": dict(
        page=PROPAGATION, label="CS231n: randn / √fan_in", title="CS231n: the same net with randn / √fan_in",
        story="Dividing by √fan_in (LeCun/Xavier) keeps a spread of activations in every layer: the signal still "
              "fades, since tanh squashes the first layers' larger signal, but it never collapses to a spike.",
        settings=dict(depth=10, width=500, activation="tanh", scheme="lecun_normal")),
    "glorot_bengio": dict(
        page=PROPAGATION, label="Glorot & Bengio 2010",
        title="Glorot & Bengio 2010: U[±1/√n] vs normalized init, 5 tanh layers",
        story="The 'standard' U[−1/√n, 1/√n] has variance 1/(3n): the signal and its gradient shrink about "
              "×3.5 at every layer. Normalized (Xavier) init keeps far more of both: tanh still squashes the "
              "first layer's large signal, but the fall slows as the signal shrinks (see the Gradients tab too).",
        settings=dict(depth=5, width=1000, activation="tanh", scheme="variance_scaling", scale=1 / 3,
                      mode="fan_in", distribution="uniform", compare=["xavier_uniform"])),
    "he_2015": dict(
        page=PROPAGATION, label="He et al. 2015", title="He et al. 2015: a 30-layer ReLU net, Xavier vs He",
        story="Xavier halves the variance at every ReLU layer, from 1 at the first to about 2 × 10⁻⁹ at the 30th; "
              "He keeps it steady, at 2.",
        settings=dict(depth=30, width=256, activation="relu", scheme="he_normal", compare=["xavier_normal"])),
    "he_2015_training": dict(
        page=TRAINING, label="He et al. 2015, trained",
        title="He et al. 2015, trained: 30 ReLU layers learn from He init, stall from Xavier",
        story="With Xavier the gradient reaching the first layer is tiny and the loss stays at ln 2.",
        settings=dict(dataset="moons", depth=30, width=32, activation="relu", lr=0.05, epochs=100,
                      schemes=["xavier_normal", "he_normal"])),
    "zeros_ln2": dict(
        page=TRAINING, label="Zero init at ln 2", title="Zero init: the loss stays at 0.693 = ln 2",
        story="Every unit is a copy of its neighbours and of nothing useful: the network predicts 50/50 forever.",
        settings=dict(dataset="moons", depth=3, width=32, activation="tanh", lr=0.1, epochs=100,
                      schemes=["zeros", "xavier_normal"])),
    "pytorch_default_relu": dict(
        page=DEEP, label="PyTorch default vs He", title="PyTorch's nn.Linear default against He, 20 ReLU layers",
        story="PyTorch's default draws U(±1/√fan_in): Var(W) = 1/(3·fan_in), a sixth of what ReLU needs. The "
              "weights alone shrink the signal ×1/6 a layer, from 1/3 at the first to about 5 × 10⁻¹⁶ at the 20th; "
              "He keeps it steady, at 2. nn.Linear draws its biases from U(±1/√fan_in) too, σ_b ≈ 0.036 (not drawn "
              "here), and they would hold Var z at 6σ_b²/5 ≈ 0.0016 from layer 5 on: steady, a thousand times "
              "below He's, and the same for every input. What tells one input from another would still shrink ×1/6 "
              "a layer.",
        settings=dict(depth=20, activation="relu", scheme="pytorch_default", compare=["he_normal"])),
    "resnet_one": dict(
        page=DEEP, label="ResNet, α = 1", title="A 50-layer residual ReLU network under He, each branch added whole",
        story="Each block adds a branch as large as the stream it reads: the stream's variance doubles every "
              "block, 2⁴⁹ over its 49 blocks. He's init is right for each layer and wrong for the sum.",
        settings=dict(activation="relu", scheme="he_normal", residual="one")),
    "resnet_inv_sqrt": dict(
        page=DEEP, label="ResNet, α = 1/√L", title="The same 50 layers with each branch scaled by 1/√L",
        story="A branch of 1/√L adds (1 + 1/L) a block: after L blocks at most e ≈ 2.7 times the first. The "
              "stream stays steady at any depth.",
        settings=dict(activation="relu", scheme="he_normal", residual="inv_sqrt_depth")),
    "rezero": dict(
        page=DEEP, label="ReZero, α = 0", title="The same 50 layers with every branch switched off at the start",
        story="α = 0 makes each block the identity at initialization (ReZero, SkipInit): the stream and its "
              "gradient pass every block unchanged, and training turns the branches on.",
        settings=dict(activation="relu", scheme="he_normal", residual="zero")),
    "gpt2": dict(
        page=DEEP, label="GPT-2: N(0, 0.02²), 1/√(2L)", title="GPT-2's recipe: N(0, 0.02²) weights, pre-norm "
                                                              "LayerNorm, branches scaled by 1/√(2L)",
        story="GPT-2 draws every weight from N(0, 0.02²), at width 256 a variance scaling of 256·0.02² = 0.1024 "
              "over fan_in, and scales the projections into the residual stream by 1/√(2L), L its blocks, each "
              "with two branches (attention and MLP): here the branch scale α, with L this network's blocks of one "
              "branch each. The stream grows by far less than ×2 over its 49 blocks.",
        settings=dict(activation="gelu", scheme="variance_scaling", scale=256 * 0.02**2, mode="fan_in",
                       distribution="normal", residual="gpt2", norm="layer")),
    "layernorm_tanh": dict(
        page=DEEP, label="LayerNorm rescues N(0, 1)", title="50 tanh layers with N(0, 1) weights, LayerNorm "
                                                            "before each activation",
        story="Without the norm, N(0, 1) weights pin nearly every tanh unit at ±1. With it the sums z_l still "
              "explode at layer 1 (the weights' scale is still in them: the table's forward column), but LayerNorm "
              "hands each tanh inputs of variance 1 (what each activation sees: steady), so no unit is pinned and "
              "the forward pass is rescued. The gradient still carries the weights' scale.",
        settings=dict(activation="tanh", scheme="large_normal", std=1.0, norm="layer")),
    "prenorm_resnet": dict(
        page=DEEP, label="Pre-norm ResNet, α = 1", title="A 50-layer pre-norm residual ReLU network: LayerNorm, "
                                                         "no branch scaling",
        story="LayerNorm keeps what every ReLU sees at variance 1, but each block still adds a branch of about "
              "that size to the stream: its variance grows by one a block, some 25× over its 49 blocks. The norm "
              "stops the doubling, not the growth; scaling the branches (1/√(2L)) stops that.",
        settings=dict(activation="relu", scheme="he_normal", residual="one", norm="layer")),
    "funnel_fans": dict(
        page=DEEP, label="A funnel: fan_in vs fan_out",
        title="A ReLU funnel 512 → 256 → … → 8: He with fan_in against He with fan_out",
        story="When widths change, n_in and n_out differ. He with fan_in keeps the forward signal steady and lets "
              "the gradient shrink; fan_out (torchvision's ResNets) does the opposite. Xavier's average of the two "
              "is Glorot & Bengio's compromise.",
        settings=dict(depth=6, width=512, shape="funnel", activation="relu", scheme="variance_scaling", scale=2.0,
                       mode="fan_out", distribution="normal", compare=["he_normal"])),
}
PRESETS = {key: preset | dict(settings=PLAIN[preset["page"]] | preset["settings"])  # over its lesson's plain network
           for key, preset in PRESETS.items()}


def for_page(page: str) -> dict[str, dict]:
    return {key: preset for key, preset in PRESETS.items() if preset["page"] == page}


_PICKED = "_classic_picked"  # session state: the classic the learner just picked in the select box
_UNKNOWN = "_classic_unknown"  # session state: (lesson, a link's classic that the lesson does not have)
_CHANGED = "_classic_changed"  # session state: (lesson, the classic a link names, the settings it gives itself)
_SHOWN = "_classic_shown"  # session state: each lesson's classic last told, for an address that names none
_REPEATS = "_classic_repeats"  # session state: (lesson, the classics a link named, more than one)


def apply(key: str) -> None:
    """Callback of the preset selector: the preset picked in it (``apply_preset``)."""
    apply_preset(st.session_state.get(key))


def apply_preset(chosen: str) -> None:
    """The classic ``chosen``'s settings, and every other control of the page at its default (``controls.reset``):
    a classic sets the whole view, whatever was compared or switched on before. Before the page's controls are
    drawn (a select box's callback, or the first run of a link that names the classic alone)."""
    st.session_state[_PICKED] = chosen
    if chosen in PRESETS:
        controls.reset(PRESETS[chosen]["settings"])


class Selector:
    """A page's 'Reproduce a classic' select box: made first in the sidebar (``Selector(page)`` keeps its place
    at the top), decided last (``story``), once every control of the page holds this run's value.

    The classic a view shows is in its address as ``classic`` (the label), so that a classic's link opens the
    lesson with its story and Back and Forward bring the story back with the view. It is told only while the
    controls hold the classic's settings: once the learner moves one of them the story may no longer be true
    (CS231n's fading signal is steady under He weights), so the box goes back to '—' and the address drops it;
    a link that names a classic but gives one of its settings another value gets the classic's other settings and
    a note, not its story (He et al.'s ×2⁻²⁹ is not true of 10 layers). A link that names the classic alone
    (``classic=He et al. 2015``, typed by hand) opens it, as a pick in the box does. An address that names no
    classic (the sidebar's links carry no address) gets the one last told on this lesson, while the controls still
    hold it. Decided after the controls because on Back the controls take the address's values as they are drawn.
    """

    def __init__(self, page: str):
        self.page, self.options = page, {"": "—"} | {k: p["label"] for k, p in for_page(page).items()}
        self.slot = st.empty()
        controls.read(CLASSIC)  # the address names the classic shown (``story``)
        named = st.query_params.get_all(CLASSIC)
        if len(named) > 1:  # as a control does with a link's several values: the last, with a note
            st.session_state[_REPEATS] = (page, named)
            st.query_params[CLASSIC] = named[-1]
        if controls.arrived():  # a link that names one of its classics opens it, as a pick in the box, but
            opened = self._named()  # for the settings the link gives itself
            given = [key for key in PRESETS[opened]["settings"] if key in st.query_params] if opened else []
            if opened and not given:
                apply_preset(opened)
            elif opened:  # the classic's other settings; not its scheme's own, where the link picks another scheme
                settings = PRESETS[opened]["settings"]
                own = set(initcore.SCHEMES[settings["scheme"]].params) if {"scheme"} <= set(given) & set(settings) \
                    else set()
                controls.change({k: v for k, v in settings.items() if k not in given and k not in own})
                st.session_state[_CHANGED] = (page, opened, given)

    def _named(self) -> str:
        """The classic of this lesson that the address names, by its label or its id ("" if none)."""
        named = st.query_params.get(CLASSIC)
        return next((k for k, label in self.options.items() if k and named in (k, label)), "")

    def story(self) -> str | None:
        picked = st.session_state.pop(_PICKED, None)
        named = st.query_params.get(CLASSIC)
        if picked is None:  # not picked in the box just now: the classic the address names
            picked = self._named()
            if named is not None and not picked:  # no classic of this lesson: said until one is picked here
                st.session_state[_UNKNOWN] = (self.page, named)
            elif st.session_state.get(_UNKNOWN, (self.page,))[0] != self.page:  # a note of a lesson left
                del st.session_state[_UNKNOWN]
            if named is None:  # an address silent about it (the sidebar's links carry none): the classic told
                picked = st.session_state.get(_SHOWN, {}).get(self.page, "")  # here last, while it holds
        else:
            st.session_state.pop(_UNKNOWN, None)
        chosen = picked if picked in PRESETS and _holds(PRESETS[picked]["settings"]) else ""
        changed = st.session_state.get(_CHANGED)
        if changed and (chosen or changed[0] != self.page):  # a classic told, or a lesson left: the note is done
            del st.session_state[_CHANGED]
            changed = None
        if st.session_state.get("preset") != chosen:
            st.session_state["preset"] = chosen
        st.session_state[_SHOWN] = st.session_state.get(_SHOWN, {}) | {self.page: chosen}
        if chosen:
            st.query_params[CLASSIC] = PRESETS[chosen]["label"]
        elif CLASSIC in st.query_params:
            del st.query_params[CLASSIC]
        with self.slot.container():
            st.selectbox("Reproduce a classic", list(self.options), format_func=self.options.get, key="preset",
                         on_change=apply, args=("preset",))
            if _UNKNOWN in st.session_state:
                st.warning(f"Link value {CLASSIC}={controls.quoted(st.session_state[_UNKNOWN][1])} is not one of this "
                           "lesson's classics; showing none.", icon=":material/link:")
            if st.session_state.get(_REPEATS, (None,))[0] == self.page:  # said once, on the lesson it opened
                named = st.session_state.pop(_REPEATS)[1]
                given = ", ".join(controls.quoted(n) for n in named[:4]) + (", …" if len(named) > 4 else "")
                st.warning(f"Link gives {CLASSIC} {len(named)} values ({given}); using the last.",
                           icon=":material/link:")
            if changed:
                _, opened, given = changed
                values = ", ".join(f"{key}={controls.link({key: PRESETS[opened]['settings'][key]})[key]}"
                                   for key in given)
                st.warning(f"The link names the classic {PRESETS[opened]['label']} and gives some of its settings "
                           f"values of its own: the classic's other settings are taken, and its story, which is "
                           f"about {values}, is not told.", icon=":material/link:")
        return PRESETS[chosen]["story"] if chosen else None


CLASSIC = "classic"  # the URL name of the classic a view shows


def _holds(settings: dict) -> bool:
    """Whether the page's controls hold ``settings`` (a float to 6 digits: a link writes 1/3 as 0.3333333333)."""
    def same(value, wanted) -> bool:
        return math.isclose(value, wanted, rel_tol=1e-6) if isinstance(wanted, float) and isinstance(
            value, (int, float)) else value == wanted
    return all(same(st.session_state.get(k), v) for k, v in settings.items() if k in st.session_state)


def link(key: str) -> dict:
    """The query parameters of a link that opens ``key``'s lesson as the classic, story included."""
    preset = PRESETS[key]
    return controls.link(preset["settings"]) | {CLASSIC: preset["label"]}

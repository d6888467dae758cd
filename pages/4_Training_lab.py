"""Training lab: train the same small network from different starting weights and compare."""

import streamlit as st

import initcore
from ui import (
    advice,
    charts,
    classroom,
    controls,
    deep,
    figure,
    film,
    jobs,
    lessons,
    nav,
    presets,
    runs,
    show,
    tables,
)
from ui.theme import percent, scheme_label

st.set_page_config(page_title="Training lab · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Training lab")
with st.sidebar:
    classic = presets.Selector(presets.TRAINING)
    dataset = controls.choice("Data set", "dataset", "moons")
    depth = controls.slider("Hidden layers", "depth", 1, 30, 5)
    width = controls.slider("Units per layer", "width", 2, 128, 32)
    shape = controls.choice("Shape", "shape", "constant",
                            help="How the widths change from the first hidden layer to the last; the units per "
                                 "layer are the widest")
    activation = controls.choice("Activation", "activation", "relu")
    lr = controls.value_choice("Learning rate", "lr", controls.LR_CHOICES, 0.1)
    epochs = controls.slider("Epochs", "epochs", 10, 300, 100, step=10)
    schemes = controls.several("Schemes to compare", "schemes", list(initcore.LAB_SCHEMES))
    seed = controls.seed()
    snapshots = controls.link_only("snapshots", 1, film.SNAPSHOTS, film.SNAPSHOTS)  # the film's frames, after epoch 0
    nav.footer()
story = classic.story()  # decided once every control holds this run's value
st.markdown(lessons.lab_intro(activation))

if story:
    st.info(story)
if not schemes:
    st.warning("Pick at least one scheme to train.")
    st.stop()
asked = dict(dataset=dataset, depth=depth, width=width, activation=activation, lr=lr, epochs=epochs,
             seed=seed) | deep.training_shape(shape, depth, width)
schemes, epochs, budget = lessons.lab_budget(schemes, depth, width, epochs, asked.get("widths"), snapshots)
if "widths" in asked:
    st.caption(f"Widths {deep.widths_text(asked['widths'])}, then the output.")
if budget:
    st.warning(budget)
settings = asked | dict(epochs=epochs)


def loss_chart(lab: dict) -> None:
    """Every run's loss; while some still train (``runs.so_far``), their epochs so far on an axis of all."""
    show.chart(charts.training_figure(lab["histories"], "loss", title="Training loss (cross-entropy)",
                                      y_title="loss (log scale)", log=True, diverged=lab["diverged"],
                                      epochs=epochs if "training" in lab else None,
                                      training=lab.get("training", ())), "loss")


started = runs.start(schemes, settings, snapshots)
if not jobs.wait(started.values()):  # longer than a moment: the loss is drawn as the epochs come in
    runs.progress(started, epochs, (lambda lab: None) if classroom.on() else loss_chart)  # in class: the question
    st.stop()
lab = runs.gather(runs.finished(started))
classroom.ask_first(classroom.lowest_loss(
    {scheme_label(row.scheme): row.final_loss for row in lab["summary"].itertuples()}, epochs,
    tuple(sorted(settings.items())) + tuple(schemes)))
loss_chart(lab)
offered = set()
for said in advice.advise(lab["summary"], asked, schemes):  # Xavier or He learned nothing: why, and what trains
    st.warning(f"{said.why} {said.result}")
    if said.fix and said.fix_words not in offered:
        offered.add(said.fix_words)
        st.button(f"Use {said.fix_words}", on_click=controls.change, args=(said.fix,), key=f"fix_{said.schemes[0]}",
                  icon=":material/build:")
st.subheader("Watch it train, epoch by epoch")
with st.container(horizontal=True, vertical_alignment="center"):
    quantity = controls.choice("Heatmaps of each layer's", "film", "activations", horizontal=True)
    film_log = controls.toggle("log10 |x| axis", "film_log")
    st.button("New seed", on_click=controls.new_seed, key="new_seed",
              icon=":material/casino:", help="The same lab from another draw of the weights and the data; "
              "↺ Replay, under the film, plays this draw again from epoch 0")
units = width if shape == "constant" else None  # of every hidden layer
st.markdown("\n".join(f"- {sentence}" for sentence in film.findings(lab, activation, lr, units)))
narrow, upright = show.too_narrow_for(film.wide_needs(len(lab["snapshots"])),  # the film: a row per run, or a
                                       charts.SWEEP_WIDE_NEEDS)  # column each; the sweep: rates down the side
shown = film.lab_film(lab, quantity, film_log, narrow=narrow)
start = controls.link_only("frame", 0, shown.frame_count - 1, 0,  # a link may open this film at one of its frames
                           view=(settings, schemes, snapshots, quantity, film_log))
st.html(film.SCRIPT, unsafe_allow_javascript=True)  # the film's controls from the keyboard; Play from the frame shown
show.chart(film.lab_film(lab, quantity, film_log, narrow=narrow, start=start) if start else shown,
           "film_chart")
if shown.crowded is not None and (crowded := shown.crowded) >= film.CROWDED:
    share = "nearly all" if crowded >= film.NEARLY_ALL else f"at least {percent(crowded)} of"
    st.caption(f"On this axis, set by each run's largest value, {share} every run's {quantity} lie in its two "
               "middle bins: turn on the log10 |x| axis to tell the layers' scales apart.")
with st.container(horizontal=True):  # side by side, or one above the other where two would be too narrow
    show.chart(charts.training_figure(lab["histories"], "test_accuracy", title="Test accuracy", y_title="accuracy",
                                      subtitle="share of test points classified right", log=False,
                                      diverged=lab["diverged"], width=figure.HALF_WIDTH), "accuracy")
    show.chart(charts.grad_norm_figure(lab["histories"], width=figure.HALF_WIDTH), "grad_norms")
st.subheader("Decision boundaries after training")
st.caption("Orange: the network says class 0; blue: class 1; white: it cannot tell (p = ½); grey: no answer at "
           "all (its outputs overflowed to NaN). Dots: test points.")
with st.container(horizontal=True):  # panels of one size, in a row that wraps to the screen's width
    for scheme, grid in lab["grids"].items():
        show.chart(charts.boundary_figure(scheme, grid, lab["test_points"], lab["diverged"][scheme] is not None),
                   f"boundary_{scheme}")
show.table(tables.lab_summary(lab["summary"]), tables.LAB_COLUMNS)
st.subheader("Learning rate × initialization")
if controls.toggle("Train every scheme at eight learning rates, 0.001 to 3", "sweep",
                   help="One training per scheme and learning rate, each for the lab's epochs or as many as "
                        "the training budget allows them all"):
    try:
        sweeping, sweep_epochs = runs.start_sweep(schemes, settings)
    except ValueError as error:  # too many trainings of this size: the budget says what to lower
        st.warning(str(error))
    else:
        def sweep_chart() -> None:
            """The sweep as far as it is done, a column at a time, and under it a progress bar, where what it shows
            comes once every column is done (the chart stays where it is)."""
            sweep = runs.sweep_so_far(sweeping, schemes, sweep_epochs)
            to_come = sweep[sweep.training].lr.nunique()
            show.chart(charts.sweep_figure(sweep, upright=upright), "sweep_chart")
            if to_come:
                st.progress(1 - to_come / len(sweeping), text=f"Training the sweep: {len(sweeping) - to_come} of "
                                                              f"{len(sweeping)} learning rates done.")
            else:
                st.caption(lessons.sweep_caption(sweep, epochs, upright=upright))

        if jobs.wait(sweeping.values()):
            sweep_chart()
        else:  # longer than a moment: each column is drawn as it is done
            runs.until_done(sweeping, sweep_chart)

controls.leave_out_unread()  # last: the link's names nothing on the page looked for

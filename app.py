"""initlab home: what the app teaches, the whole story in one picture, and the way into each lesson."""

import streamlit as st

from ui import cached, charts
from ui.theme import activation_label

st.set_page_config(page_title="initlab: why weight initialization matters", page_icon="🧪", layout="wide")
st.title("Why weight initialization matters")
st.markdown(
    "A deep network multiplies its input by one weight matrix after another. If each layer makes the signal "
    "a little smaller, it fades to nothing; a little larger, and it blows up to infinity. The starting weights "
    "decide which happens, and here you can watch it happen and change it with a slider."
)

SCHEMES = ("zeros", "constant", "small_normal", "large_normal", "xavier_normal", "he_normal")
ACTIVATIONS = ("tanh", "relu")
panels = cached.what_goes_wrong(SCHEMES, ACTIVATIONS)
st.plotly_chart(charts.strip_figure(panels, list(ACTIVATIONS), list(SCHEMES),
                                    {a: f"{activation_label(a)} net" for a in ACTIVATIONS}), key="strip")
st.caption(
    "Each panel: 20 layers of 256 units. Zeros kill the signal at once; small weights let it fade; large ones "
    "blow it up (a gap means it overflowed to infinity). Xavier holds a tanh net level and He a ReLU net; "
    "Xavier on ReLU still halves the signal every layer. The constant scheme looks alive, but every unit "
    "in it is a copy of the others (see *Symmetry*)."
)

st.subheader("Lessons")
LESSONS = [
    ("pages/1_Weight_distributions.py", "Weight distributions", "📊",
     "What each scheme's weights look like, side by side, with the formulas."),
    ("pages/2_Signal_propagation.py", "Signal propagation", "📉",
     "Push a batch through up to 100 layers and watch the signal vanish, explode or hold."),
    ("pages/3_Symmetry.py", "Symmetry", "🪞", "Why zero and constant weights make every unit a copy."),
    ("pages/4_Training_lab.py", "Training lab", "🏋️", "Train small networks from different starts and compare."),
    ("pages/5_Choosing_an_initializer.py", "Choosing an initializer", "🧭",
     "Which scheme for which activation, and the one-liners for PyTorch, Keras and JAX."),
    ("pages/6_Reproduce_the_classics.py", "Reproduce the classics", "📜",
     "CS231n, Glorot & Bengio 2010 and He et al. 2015, one click each."),
]
for page, label, icon, blurb in LESSONS:
    st.page_link(page, label=f"**{label}**: {blurb}", icon=icon)

"""Reproduce the classics: each famous experiment is a link that sets every control."""

import streamlit as st

from ui import controls, nav, presets

st.set_page_config(page_title="Reproduce the classics · initlab", layout="wide")
nav.sidebar(__file__)
nav.footer(reset=False)
st.title("Reproduce the classics")
st.markdown("Each link opens a lesson with every control set as in the original experiment. "
            "Change anything from there: the link in your address bar always reproduces what you see.")

for key, preset in presets.PRESETS.items():
    with st.container(border=True):
        st.markdown(f"**{preset['title']}**")
        st.markdown(preset["story"])
        st.page_link(preset["page"], label=f"Open {preset['label']}", icon=":material/play_arrow:",
                     query_params=presets.link(key))  # each link named by its classic, for a list of links

controls.leave_out_unread()  # last: the link's names nothing on the page looked for

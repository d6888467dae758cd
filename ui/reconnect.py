"""A page whose server went away is rebuilt by the server it reconnects to, without the learner doing anything.

Behind a load balancer, a page whose replica dies reconnects to a live replica within a second. Streamlit 1.67's
page then asks its new server to run the script only in a few cases, one of them being that the page holds a
fragment that reruns on a timer (``st.fragment(run_every=...)``); otherwise it keeps showing the dead replica's
last render, whose downloads the live replica does not have, until the learner's next action. So every page
holds one empty fragment with such a timer. The run it asks for carries the page's address and its widgets'
values, and the live replica draws the same view: the same settings, charts and downloads. (A page that
reconnects to the same server after a network drop gets one run more, which changes nothing.)

One moment escapes this. A run's first message to the page (``new_session``) stops the page's timers, and until
its next one (the session's status: running) arrives, the page holds neither a timer nor a run in progress. A
server that dies in between leaves the page as it was until the learner's next action. Kills timed right after
a click that started a run hit that gap twice in about fifty, so nothing on a page starts a run it does not
need: the table's download does not rerun the page.

The timer is a day, and the page starts it again at every run, so it never fires during a lesson. What the
fragment costs is its call, once per run (about a third of a millisecond on the server), and two small messages
to the browser. Browsers hold a timer's delay in 32 bits of milliseconds: it must stay under 24.8 days.
"""

from datetime import timedelta

import streamlit as st

TIMER = timedelta(days=1)


@st.fragment(run_every=TIMER)
def _ask_for_a_run_on_reconnecting() -> None:
    """Draws nothing: the timer it carries is what makes the page ask for a run when it reconnects."""


def keep_the_view() -> None:
    """Make this page ask for a run of its script whenever it reconnects to a server (call once per run)."""
    _ask_for_a_run_on_reconnecting()

"""A student's browser tab as the server sees it: Streamlit's own websocket protocol, without the drawing.

A tab opens a websocket to ``/_stcore/stream`` and sends ``BackMsg``s (protobuf); the server answers with
``ForwardMsg``s: the page's elements as deltas, then ``script_finished``. A control moved sends a rerun with the
widget's new value, by the widget's id, as the browser does. ``Tab`` speaks exactly that, so a load test made of
tabs costs the server what browsers cost it: the agent API (``load.py``'s other way in) also records a
description of every element of every run for its client, which browsers never ask for.

Only the controls a load test moves are spoken: sliders, select boxes, radios and number inputs. A page that keeps
a fragment running every few seconds (the Training lab while its runs train) is followed as a browser follows it
(``watch``): the server asks for those reruns (``auto_rerun``), and the tab sends one each interval until a run of
the whole page asks for none.
"""

from __future__ import annotations

import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect


class Tab:
    """One tab on ``page`` (its address, as in ``Signal_propagation``) of the server at ``url``."""

    def __init__(self, url: str, page: str, timeout: float, query: str = ""):
        self.socket = connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                              max_size=None, open_timeout=timeout)
        self.page, self.timeout, self.query = page, timeout, query
        self.controls: dict[str, tuple[str, str]] = {}  # a control's key → (its widget id, its kind)
        self.states: dict[str, WidgetState] = {}  # the values this tab has set, sent again with every rerun
        self.failed = False
        self.polls: dict[str, float] = {}  # fragment id → seconds between its reruns, as the last run asked
        self.fragment_runs = 0  # reruns of a fragment sent by ``watch``

    def open(self) -> bool:
        """Load the page; whether it ran without an exception."""
        return self.move({})

    def move(self, changes: dict[str, object]) -> bool:
        """Set the controls named by their keys to these values (a slider's number, a choice's label) and wait
        for the page's run to end; whether it ran without an exception on the page."""
        for key, value in changes.items():
            self.states[key] = self._state(key, value)
        self.polls = {}
        return self._run()

    def watch(self, deadline: float) -> bool:
        """Follow the page's polling fragments as a browser does, the quickest one each interval after the last run
        ended, until none is due before ``deadline`` (a ``time.monotonic()``: a run of the whole page that asks for
        no quick poll leaves only slow ones, such as a timer of a day); whether every run ended without an
        exception."""
        ran = True
        while self.polls:
            fragment, interval = min(self.polls.items(), key=lambda poll: poll[1])
            if time.monotonic() + interval > deadline:
                break
            time.sleep(interval)
            self.fragment_runs += 1
            ran = self._run(fragment) and ran
        return ran

    def polling(self, within: float) -> bool:
        """Whether a fragment of the page asks to run again within ``within`` seconds."""
        return any(interval <= within for interval in self.polls.values())

    def _run(self, fragment: str = "") -> bool:
        """Ask for a run of the page, or of one of its fragments, and read the answer to its end."""
        message = BackMsg()
        message.rerun_script.page_name = self.page
        message.rerun_script.query_string = self.query
        message.rerun_script.widget_states.widgets.extend(self.states.values())
        if fragment:
            message.rerun_script.fragment_id = fragment
            message.rerun_script.is_auto_rerun = True
        self.socket.send(message.SerializeToString())
        self.failed, whole = False, not fragment  # a run of the whole page, whose fragments say anew how they poll
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(self.socket.recv(timeout=self.timeout))
            kind = answer.WhichOneof("type")
            if kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
                self._note(answer.delta.new_element)
            elif kind == "new_session" and whole:
                self.polls = {}
            elif kind == "auto_rerun":
                self.polls[answer.auto_rerun.fragment_id] = answer.auto_rerun.interval
            elif kind == "page_not_found":
                raise LookupError(f"no page {self.page!r}")
            elif kind == "script_finished" and answer.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                whole = True  # st.rerun(), in the page or in a fragment: the whole page runs next
            elif kind == "script_finished":
                return not self.failed and answer.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)

    def close(self) -> None:
        self.socket.close()

    def _note(self, element) -> None:
        """Keep a widget's id under the key the page gave it (``$$ID-<hash>-<key>``), and whether the page showed
        an exception."""
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.failed = True
        widget_id = getattr(getattr(element, kind), "id", "")
        if widget_id.startswith("$$ID-"):
            self.controls[widget_id.split("-", 2)[2]] = (widget_id, kind)

    def _state(self, key: str, value) -> WidgetState:
        widget_id, kind = self.controls[key]
        state = WidgetState(id=widget_id)
        if kind == "slider":
            state.double_array_value.data[:] = [float(value)]
        elif kind in ("selectbox", "radio"):
            state.string_value = str(value)
        elif kind == "number_input":
            state.double_value = float(value)
        else:
            raise ValueError(f"a tab here does not move a {kind} ({key})")
        return state

"""Work ahead of time (ui/compute/warm.py) and the gate's background tickets: it waits
behind every visitor, runs only when the gate is otherwise idle, goes through the
store like everything else, and leaves the samples' slow pages nothing to compute."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

import quant
from ui.compute import cached_compare, warm
from ui.compute.gate import BACKGROUND, Gate
from ui.compute.store import STORE
from ui.frame import state

TIMEOUT_S = 120


def until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_background_jobs_wait_for_an_idle_gate_and_never_hold_up_a_visitor() -> None:
    gate = Gate(2)
    entered: list[str] = []
    release = {name: threading.Event() for name in ("v1", "v2", "v3", "bg")}

    def job(name: str, ticket: int | None = None) -> threading.Thread:
        def hold() -> None:
            with gate.admit(ticket=ticket, poll_s=0.02):
                entered.append(name)
                release[name].wait(5)

        thread = threading.Thread(target=hold)
        thread.start()
        return thread

    threads = [job("v1")]
    assert until(lambda: gate.running == 1)
    background = gate.background_ticket()
    assert background >= BACKGROUND
    threads.append(job("bg", background))
    time.sleep(0.3)
    assert entered == ["v1"] and gate.waiting == 1  # a slot is free, but a visitor's job runs
    threads.append(job("v2"))
    assert until(lambda: "v2" in entered)  # the visitor who came later goes first
    release["v1"].set()
    time.sleep(0.3)
    assert "bg" not in entered
    release["v2"].set()
    assert until(lambda: "bg" in entered)  # the gate is idle: now the background job
    threads.append(job("v3"))
    assert until(lambda: "v3" in entered)  # and a visitor takes the other slot at once
    for event in release.values():
        event.set()
    for thread in threads:
        thread.join(5)
    assert gate.running == 0 and gate.waiting == 0


def test_background_jobs_wait_while_a_visitor_runs_a_page_and_a_moment_after() -> None:
    gate = Gate(2, quiet_s=0.3)
    entered = threading.Event()

    def background() -> None:
        with gate.admit(ticket=gate.background_ticket(), poll_s=0.02):
            entered.set()

    with gate.visitor_run():
        thread = threading.Thread(target=background)
        thread.start()
        assert not entered.wait(0.3)  # no job runs, but a visitor's page does
        ended = time.monotonic()
    assert entered.wait(5)
    assert time.monotonic() - ended >= 0.25  # and not at once after it
    thread.join(5)


def test_enabled_by_setting_and_not_under_apptest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANT_WARM", "1")
    assert warm.enabled()
    monkeypatch.setenv("QUANT_WARM", "0")
    assert not warm.enabled()
    monkeypatch.delenv("QUANT_WARM")
    assert not warm.enabled()  # no Streamlit server in this process
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()
    assert not app.exception
    assert not [thread for thread in threading.enumerate() if thread.name == warm.THREAD_NAME]


def _session_settings() -> None:
    import streamlit as st

    from ui.frame import state

    state.init()
    st.write(repr(state.settings()))


def test_default_settings_are_a_new_visitors() -> None:
    app = AppTest.from_function(_session_settings, default_timeout=TIMEOUT_S).run()
    assert app.markdown[0].value == repr(warm.default_settings())


def test_work_ahead_leaves_the_samples_slow_pages_nothing_to_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)
    STORE.clear()
    tickets: list[int | None] = []
    get = STORE.get

    def spy_get(key, make, **kwargs):
        if "ticket" in kwargs:  # a job asked for (not the store's own call once admitted)
            tickets.append(kwargs["ticket"])
        return get(key, make, **kwargs)

    monkeypatch.setattr(STORE, "get", spy_get)
    warm.run(["sky"])
    monkeypatch.setattr(STORE, "get", get)
    assert warm.PREPARED["sky"].is_set()
    assert tickets and all(ticket is not None and ticket >= BACKGROUND for ticket in tickets)
    settings = warm.default_settings()
    ref = warm.cached.sample_ref("sky")
    runs = [(method, n_colors) for method in cached_compare.BASELINES for n_colors in cached_compare.SIZES]
    assert cached_compare.points_held(ref, runs, settings) and cached_compare.ssims_held(ref, runs, settings)

    calls: list[str] = []
    for module, name in ((quant, "fit_palette"), (quant, "apply_palette"), (quant, "kmeans_steps"), (quant, "minibatch_steps")):
        original = getattr(module, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = "sky"
    app.run()
    calls.clear()  # the Image page makes its own PNGs
    for page in ("pages/kmeans_steps.py", "pages/compare.py"):
        app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
    assert calls == []

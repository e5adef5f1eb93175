"""The cyclic collector waits while a pull decodes and applies pages, and comes back."""

from __future__ import annotations

import gc
import threading

import pytest

from cp2desk.collection import collection_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pauses_nest_and_the_last_one_out_restores(collector_on):
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failed pull")
    assert gc.isenabled()  # a pause that failed still ends


def test_overlapping_pauses_in_threads(collector_on):
    """Two syncs in two threads: the collector is off while either runs, on after both."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with collection_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with collection_paused():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.isenabled())  # the first pause is over; this one still holds

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_kept_off_stays_off():
    """The desktop app keeps automatic collection off (it collects on the UI thread)."""
    was = gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_a_pull_runs_with_the_collector_paused(device, world, hub, collector_on):
    alpha = device(world.users["director"], "director")
    during = []
    report = alpha.engine.sync(progress=lambda stage, *_: during.append((stage, gc.isenabled())))
    assert report.pulled > 0
    assert ("pull", False) in during and ("pull", True) not in during
    assert gc.isenabled()

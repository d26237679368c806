"""Selector, Source and Waker: polling, posting, waking, the trigger modes, and lifetimes
(close twice, context managers, collection in any order, __del__ never raising)."""

import gc
import signal
import socket
import sys
import threading
import time
import weakref

import pytest

import miowin
from miowin import READABLE, WRITABLE
from miowin._objects import timeout_ms

from conftest import LIMIT, race


def drain(sock):
    try:
        while sock.recv(65536):
            pass
    except BlockingIOError:
        pass


# --- Selector ----------------------------------------------------------------------------------


def test_poll_with_nothing_registered_times_out(selector):
    assert selector.poll(0) == []
    t0 = time.monotonic()
    assert selector.poll(0.05) == []
    assert time.monotonic() - t0 >= 0.05


@pytest.mark.parametrize(
    "timeout, ms",
    [
        (None, -1),
        (0, 0),
        (-1, 0),
        (-0.5, 0),
        (1e-9, 1),
        (0.0001, 1),
        (0.001, 1),
        (0.0011, 2),
        (0.3, 300),
        (1.1, 1100),
        (2.5, 2500),
    ],
)
def test_timeouts_are_rounded_up_to_milliseconds(timeout, ms):
    assert timeout_ms(timeout) == ms


@pytest.mark.parametrize("timeout", [0.0001, 0.0015, 0.02])
def test_poll_never_returns_before_its_timeout(selector, timeout):
    t0 = time.monotonic()
    assert selector.poll(timeout) == []
    assert time.monotonic() - t0 >= timeout


def test_posted_events_do_not_coalesce(selector):
    selector.post(5, READABLE)
    selector.post(5, READABLE)
    selector.post(2**64 - 1, miowin.ERROR | miowin.WRITE_CLOSED)
    events = selector.poll(0)
    assert sorted(events) == [
        (5, READABLE),
        (5, READABLE),
        (2**64 - 1, miowin.ERROR | miowin.WRITE_CLOSED),
    ]
    assert selector.poll(0) == []


def test_poll_returns_at_most_capacity_events():
    with miowin.Selector(capacity=2) as sel:
        for token in range(5):
            sel.post(token, READABLE)
        assert len(sel.poll(0)) == 2
        assert len(sel.poll(0)) == 2
        assert len(sel.poll(0)) == 1
    with pytest.raises(ValueError):
        miowin.Selector(capacity=0)


def test_selector_close_is_idempotent_and_a_context_manager():
    with miowin.Selector() as sel:
        assert not sel.closed and sel.handle
    assert sel.closed and sel.handle is None
    sel.close()
    sel.close()
    assert "closed" in repr(sel)


def test_a_signal_handler_interrupts_a_blocking_poll_in_the_main_thread(selector):
    class Interrupted(Exception):
        pass

    def handler(*_):
        raise Interrupted

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        t0 = time.monotonic()
        with pytest.raises(Interrupted):
            selector.poll(None)
        assert time.monotonic() - t0 < 3
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_a_poll_in_the_main_thread_keeps_its_timeout_across_signals(selector):
    calls = []
    old = signal.signal(signal.SIGALRM, lambda *_: calls.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
        t0 = time.monotonic()
        assert selector.poll(0.4) == []
        elapsed = time.monotonic() - t0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert calls
    assert 0.4 <= elapsed < 2


# --- Source ------------------------------------------------------------------------------------


def test_level_registration_reports_until_drained(selector, socketpair):
    a, b = socketpair()
    with miowin.Source(a) as src:
        src.register(selector, 11, READABLE)
        assert selector.poll(0) == []
        b.send(b"data")
        assert selector.poll(1) == [(11, READABLE)]
        assert selector.poll(0) == [(11, READABLE)]  # level: again until read
        drain(a)
        assert selector.poll(0) == []
        assert src.selector is selector


def test_reregister_replaces_token_and_interests(selector, socketpair):
    a, b = socketpair()
    with miowin.Source(a) as src:
        src.register(selector, 1, READABLE)
        src.reregister(selector, 2, WRITABLE)
        assert selector.poll(1) == [(2, WRITABLE)]
        src.reregister(selector, 3, READABLE | WRITABLE)
        b.send(b"x")
        assert selector.poll(1) == [(3, READABLE | WRITABLE)]


def test_deregister_stops_events(selector, socketpair):
    a, b = socketpair()
    with miowin.Source(a) as src:
        src.register(selector, 1, READABLE)
        b.send(b"x")
        src.deregister(selector)
        assert src.selector is None
        assert selector.poll(0) == []
        src.register(selector, 4, READABLE)  # and it can be registered again
        assert selector.poll(1) == [(4, READABLE)]


def test_edge_mode_is_silent_until_rearm(selector, socketpair):
    a, b = socketpair()
    with miowin.Source(a) as src:
        src.register(selector, 1, READABLE | miowin.EDGE)
        b.send(b"x")
        assert selector.poll(1) == [(1, READABLE)]
        b.send(b"y")
        assert selector.poll(0) == []
        drain(a)
        b.send(b"z")
        src.rearm()
        assert selector.poll(1) == [(1, READABLE)]


def test_oneshot_reports_once_then_rearm_arms_it_again(selector, socketpair):
    a, b = socketpair()
    with miowin.Source(a) as src:
        src.register(selector, 1, READABLE | miowin.ONESHOT)
        b.send(b"x")
        assert selector.poll(1) == [(1, READABLE)]
        assert selector.poll(0) == []
        with pytest.raises(miowin.AlreadyRegisteredError):
            src.register(selector, 1, READABLE)
        src.rearm()
        assert selector.poll(1) == [(1, READABLE)]


def test_peer_close_reports_read_closed(selector, socketpair):
    a, b = socketpair()
    with miowin.Source(a) as src:
        src.register(selector, 1, READABLE)
        b.close()
        ((token, readiness),) = selector.poll(1)
        assert token == 1
        assert readiness & READABLE and readiness & miowin.READ_CLOSED


def test_source_accepts_objects_with_fileno_and_plain_descriptors(selector, socketpair):
    a, b = socketpair()

    class Wrapper:
        def fileno(self):
            return b.fileno()

    with miowin.Source(a.fileno()) as one, miowin.Source(Wrapper()) as two:
        assert one.fileno() == a.fileno() and two.fileno() == b.fileno()
        one.register(selector, 1, WRITABLE)
        two.register(selector, 2, WRITABLE)
        assert sorted(selector.poll(1)) == [(1, WRITABLE), (2, WRITABLE)]
    with pytest.raises(ValueError):
        miowin.Source(-1)
    with pytest.raises(ValueError):
        miowin.Source(object())


def test_source_keeps_the_wrapped_socket_alive():
    a, b = socket.socketpair()
    ref = weakref.ref(a)
    fd = a.fileno()
    src = miowin.Source(a)
    del a
    gc.collect()
    assert ref() is not None  # so its descriptor cannot be closed and reused under us
    src.close()
    gc.collect()
    assert ref() is None
    b.close()
    assert fd >= 0


def test_source_close_leaves_the_socket_open(selector, socketpair):
    a, b = socketpair()
    src = miowin.Source(a)
    src.register(selector, 1, READABLE)
    src.close()
    src.close()
    assert src.closed
    b.send(b"still open")
    assert a.recv(100) == b"still open"
    assert selector.poll(0) == []


# --- Waker -------------------------------------------------------------------------------------


def test_wakes_coalesce(selector):
    with miowin.Waker(selector, 42) as waker:
        assert waker.token == 42 and waker.selector is selector
        for _ in range(10):
            waker.wake()
        assert selector.poll(0) == [(42, READABLE)]
        assert selector.poll(0) == []
        waker.wake()
        assert selector.poll(0) == [(42, READABLE)]


def test_waker_wakes_a_poll_blocked_in_another_thread(selector):
    waker = miowin.Waker(selector, 7)
    got = []
    t = threading.Thread(target=lambda: got.append(selector.poll(10)))
    t.start()
    time.sleep(0.1)
    t0 = time.monotonic()
    waker.wake()
    t.join(10)
    assert got == [[(7, READABLE)]]
    assert time.monotonic() - t0 < 5
    waker.close()


def test_waker_keeps_its_selector_object_alive():
    sel = miowin.Selector()
    ref = weakref.ref(sel)
    waker = miowin.Waker(sel, 1)
    del sel
    gc.collect()
    assert ref() is not None
    waker.wake()
    assert ref().poll(0) == [(1, READABLE)]
    waker.close()
    gc.collect()
    assert ref() is None


def test_closed_waker_is_rejected(selector):
    waker = miowin.Waker(selector, 1)
    waker.close()
    waker.close()
    with pytest.raises(miowin.BadHandleError):
        waker.wake()


# --- lifetimes ---------------------------------------------------------------------------------


@pytest.fixture
def unraisable():
    """Collects whatever a __del__ raised (and Python could only report)."""
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    yield seen
    sys.unraisablehook = old


@pytest.mark.parametrize("order", ["selector-first", "sources-first", "cycle"])
def test_collection_in_any_order_is_safe(order, unraisable, socketpair):
    pairs = [socketpair() for _ in range(4)]
    sel = miowin.Selector()
    sources = []
    for i, (a, _) in enumerate(pairs):
        src = miowin.Source(a)
        src.register(sel, i, READABLE)
        sources.append(src)
    waker = miowin.Waker(sel, 99)
    if order == "selector-first":
        sel.close()
        del sel
        gc.collect()
        for src in sources:
            with pytest.raises(miowin.BadHandleError):
                src.reregister(src.selector, 0, READABLE)
        with pytest.raises(miowin.SelectorClosedError):
            waker.wake()
        del sources, waker
    elif order == "sources-first":
        del sources
        gc.collect()
        assert sel.poll(0) == []
        del sel, waker
    else:
        # Objects that refer to each other in a cycle are freed by the collector in an
        # order nobody chooses.
        holder = {"sel": sel, "sources": sources, "waker": waker}
        sel.holder = holder
        for src in sources:
            src.holder = holder
        del sel, sources, waker, holder
    gc.collect()
    assert unraisable == []


def test_del_after_a_failed_constructor_is_silent(unraisable):
    with pytest.raises(ValueError):
        miowin.Source(-5)
    with pytest.raises(miowin.NotSocketError):
        miowin.Source(2**31 - 2)
    closed = miowin.Selector()
    closed.close()
    with pytest.raises(miowin.BadHandleError):
        miowin.Waker(closed, 1)
    gc.collect()
    assert unraisable == []


def test_polls_from_two_threads_never_share_events():
    # Each thread must read the events of its own poll: one whose buffers the other holds
    # uses buffers of its own. Frequent thread switches and many small polls make a switch
    # between a poll and the reading of its events likely.
    selector = miowin.Selector(capacity=2)
    tokens = range(20000)
    for token in tokens:
        selector.post(token, READABLE)
    got = [[], []]

    def collect(mine):
        deadline = time.monotonic() + LIMIT * 2
        while sum(map(len, got)) < len(tokens) and time.monotonic() < deadline:
            try:
                mine.extend(token for token, _ in selector.poll(0))
            except miowin.BusyError:
                pass  # the other thread was inside the library: a turn lost, nothing taken

    try:
        race(collect, got)
    finally:
        selector.close()
    assert sorted(got[0] + got[1]) == list(tokens)


def test_close_is_thread_safe(unraisable, socketpair):
    a, _ = socketpair()
    for _ in range(50):
        sel = miowin.Selector()
        src = miowin.Source(a)
        src.register(sel, 1, READABLE)
        barrier = threading.Barrier(3)

        def close_all():
            barrier.wait()
            src.close()
            sel.close()

        threads = [threading.Thread(target=close_all) for _ in range(2)]
        for t in threads:
            t.start()
        barrier.wait()
        sel.close()
        for t in threads:
            t.join()
    assert unraisable == []


def test_out_of_range_integers_are_value_errors_not_truncated(selector, socketpair):
    a, _ = socketpair()
    with miowin.Source(a) as src:
        for token in (-1, 2**64):
            with pytest.raises(ValueError):
                selector.post(token, READABLE)
            with pytest.raises(ValueError):
                src.register(selector, token, READABLE)
            with pytest.raises(ValueError):
                miowin.Waker(selector, token)
        # READABLE plus a bit ctypes would have cut off
        with pytest.raises(ValueError):
            src.register(selector, 1, READABLE | 2**32)
        with pytest.raises(ValueError):
            selector.post(1, READABLE | 2**32)
        src.register(selector, 2**64 - 1, READABLE)
        src.reregister(selector, 0, WRITABLE)
        assert selector.poll(1) == [(0, WRITABLE)]
    with pytest.raises(ValueError):
        miowin.Source(2**64)


def test_only_a_miowin_selector_is_accepted(socketpair):
    from miowin.selectors import MiowSelector

    a, _ = socketpair()
    with MiowSelector() as standard, miowin.Source(a) as src:
        with pytest.raises(TypeError):
            src.register(standard, 1, READABLE)
        with pytest.raises(TypeError):
            miowin.Waker(standard, 1)

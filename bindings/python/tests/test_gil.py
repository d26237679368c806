"""Which polls keep the GIL: a poll that does not wait keeps it (on Linux) and so must return at
once, whatever the way in (Selector.poll, MiowSelector.select, a timeout of 0 or below); a poll
that waits releases it, so other Python threads run while it waits."""

import ctypes
import os
import subprocess
import sys
import threading
import time

import pytest

import miowin
from miowin import _fast
from miowin.selectors import EVENT_READ, MiowSelector

from conftest import LIMIT

_KEEPS_GIL = ctypes._FUNCFLAG_PYTHONAPI  # what ctypes.PyDLL sets on its functions


def test_only_the_poll_that_does_not_wait_is_bound_keeping_the_gil():
    assert not _fast.selector_poll._flags_ & _KEEPS_GIL
    if sys.platform == "win32":
        # There a poll that does not wait issues the AFD requests of changed sockets first.
        assert _fast.selector_poll_now is _fast.selector_poll
    else:
        assert _fast.selector_poll_now._flags_ & _KEEPS_GIL


# Run in a child process: a wait made while holding the GIL could not be cut short by this
# process's own timeout (pytest-timeout's signal handler needs the GIL), the child's can be.
_NO_WAIT_CHILD = r"""
import socket, sys, time
import miowin
from miowin.selectors import MiowSelector

a, b = socket.socketpair()
with MiowSelector() as s, miowin.Selector() as raw, miowin.Source(a) as source:
    s.register(a, 1)
    source.register(raw, 7, miowin.READABLE)
    calls = [lambda: s.select(0), lambda: s.select(-1.5), lambda: s.select(0.0),
             lambda: raw.poll(0), lambda: raw.poll(-3)]
    slowest = 0.0
    for _ in range(200):
        for call in calls:
            t0 = time.monotonic()
            assert call() == [], "nothing is ready"
            slowest = max(slowest, time.monotonic() - t0)
    b.send(b"x")
    time.sleep(0.05)
    assert [key.fd for key, _ in s.select(0)] == [a.fileno()]
    assert raw.poll(0) == [(7, miowin.READABLE)]
print(slowest)
"""


def test_a_poll_that_does_not_wait_returns_at_once():
    # The same package and library as this process's.
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(miowin.__file__)))
    if miowin.library_origin == "env":
        env["MIOWIN_LIBRARY"] = miowin.library_path
    child = subprocess.run(
        [sys.executable, "-c", _NO_WAIT_CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert child.returncode == 0, child.stderr
    # One call is one epoll_wait(0); a second is slack for a loaded machine, a wait is not.
    assert float(child.stdout) < 1.0


def _busy(seconds):
    """Runs Python code in this thread for ``seconds``; returns how many rounds ran and in what
    time (longer than asked if another thread kept the GIL meanwhile)."""
    rounds = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        rounds += 1
    return rounds, time.monotonic() - t0


@pytest.mark.parametrize("make", [MiowSelector, lambda: MiowSelector(signal_interval=None)])
def test_a_select_that_waits_in_a_thread_lets_other_threads_run(make, socketpair):
    a, b = socketpair()
    with make() as s:
        s.register(a, EVENT_READ)
        got = []
        t = threading.Thread(target=lambda: got.append(s.select(LIMIT)))
        t.start()
        time.sleep(0.1)  # the thread is in its wait now
        rounds, took = _busy(0.3)
        still_waiting = t.is_alive()
        b.send(b"x")
        t.join(LIMIT)
    # Had the wait kept the GIL, this thread would have stood still until it ended.
    assert still_waiting and rounds > 1000 and took < 0.3 + LIMIT / 2
    assert [key.fd for key, _ in got[0]] == [a.fileno()]


def test_a_select_that_waits_in_the_main_thread_lets_other_threads_run(socketpair):
    # No signal slicing: one call into the library for the whole wait.
    a, b = socketpair()
    progress = []

    def work_then_wake():
        time.sleep(0.1)  # the main thread is in its wait now
        progress.append(_busy(0.3))
        b.send(b"x")

    with MiowSelector(signal_interval=None) as s:
        s.register(a, EVENT_READ)
        t = threading.Thread(target=work_then_wake)
        t.start()
        t0 = time.monotonic()
        ready = s.select(LIMIT)
        took = time.monotonic() - t0
        t.join(LIMIT)
    # The other thread did its work and woke this select; a wait keeping the GIL would have
    # run out its whole timeout first, reporting nothing.
    assert [key.fd for key, _ in ready] == [a.fileno()]
    assert progress and progress[0][0] > 1000 and took < LIMIT / 2

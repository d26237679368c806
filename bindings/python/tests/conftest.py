"""Shared fixtures and helpers for the miowin binding tests (the helpers are imported with
``from conftest import ...``), and the checks that the run is what it claims to be:
pytest-timeout is active, and miowin came from where test.sh said it would."""

import os
import socket
import sys
import threading
import time

import pytest

import miowin

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

LIMIT = 10  # seconds a test waits for an event that must come


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("timeout"):
        raise pytest.UsageError(
            "the miowin tests bound every test with pytest-timeout: install python3-pytest-timeout"
        )


def pytest_report_header(config):
    return [
        f"miowin package: {os.path.dirname(miowin.__file__)}",
        f"miowin library: {miowin.library_path} ({miowin.library_origin}, "
        f"version {miowin.version_string()})",
    ]


@pytest.fixture
def socketpair():
    """A connected pair of non-blocking stream sockets, closed after the test."""
    made = []

    def make():
        a, b = socket.socketpair()
        a.setblocking(False)
        b.setblocking(False)
        made.extend((a, b))
        return a, b

    yield make
    for s in made:
        s.close()


@pytest.fixture
def selector():
    sel = miowin.Selector()
    yield sel
    sel.close()


# Helpers of the tests that wait for a selector's events (test_net.py, test_pipes.py).


def wait_for(selector, token, limit=LIMIT):
    """Polls until an event for ``token`` arrives; returns its readiness."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for t, readiness in selector.poll(0.2):
            if t == token:
                return readiness
    raise AssertionError(f"no event for token {token} within {limit} s")


def silent(selector, token, window=0.15):
    """True if no event for ``token`` arrives for ``window`` seconds."""
    deadline = time.monotonic() + window
    while time.monotonic() < deadline:
        if any(t == token for t, _ in selector.poll(max(0, deadline - time.monotonic()))):
            return False
    return True


def race(collect, shares):
    """Runs ``collect(share)`` in a thread of its own for each of ``shares``, with thread
    switches as frequent as Python allows (so a switch lands between any two steps often), and
    waits for them all."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=collect, args=(share,)) for share in shares]
        for t in threads:
            t.start()
        for t in threads:
            t.join(LIMIT * 3)
    finally:
        sys.setswitchinterval(interval)

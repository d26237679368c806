"""Shared fixtures for the miowin binding tests, and the checks that the run is what it claims
to be: pytest-timeout is active, and miowin came from where test.sh said it would."""

import os
import socket

import pytest

import miowin

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


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

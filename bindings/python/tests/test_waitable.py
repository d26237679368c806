"""Waitable sources (miow_source_new_waitable, miowin 1.2): Source.waitable for any pollable
descriptor on Linux and waitable handles on Windows, and Source.process for a child's exit
(a pidfd on Linux, Popen._handle on Windows)."""

import errno
import os
import subprocess
import sys
import time

import pytest

import miowin
from miowin import READABLE

pytestmark = [
    pytest.mark.timeout(30),
    pytest.mark.skipif(
        not miowin._native.has_export("miow_source_new_waitable"),
        reason="the loaded library predates miow_source_new_waitable",
    ),
]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux descriptors")

# A child that waits for one line on stdin, then exits with 7: it runs until the test lets it go.
CHILD = [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit(7)"]


@linux_only
def test_waitable_pipe_reports_readable_only_when_written(selector):
    r, w = os.pipe()
    try:
        with miowin.Source.waitable(r) as source:
            source.register(selector, 11, READABLE)
            assert selector.poll(0) == []
            os.write(w, b"x")
            events = selector.poll(5)
            assert [(token, readiness & READABLE) for token, readiness in events] == [(11, READABLE)]
        os.read(r, 1)  # the descriptor stays open: the source never closes it
    finally:
        os.close(r)
        os.close(w)


@linux_only
def test_waitable_regular_file_is_refused_with_eperm(tmp_path):
    path = tmp_path / "plain"
    path.write_bytes(b"")
    fd = os.open(str(path), os.O_RDONLY)
    try:
        with pytest.raises(miowin.InvalidArgumentError) as info:
            miowin.Source.waitable(fd)
        assert info.value.os_error == errno.EPERM
    finally:
        os.close(fd)


def test_process_source_reports_readable_when_the_child_exits(selector):
    proc = subprocess.Popen(CHILD, stdin=subprocess.PIPE)
    try:
        with miowin.Source.process(proc) as source:
            source.register(selector, 42, READABLE)
            # Alive: nothing to report, however long the poll.
            assert selector.poll(0.2) == []
            proc.stdin.write(b"go\n")
            proc.stdin.close()
            deadline = time.monotonic() + 10
            events = []
            while not events and time.monotonic() < deadline:
                events = selector.poll(1)
            assert [token for token, _ in events] == [42]
            assert events[0][1] & READABLE
            # A process stays signalled: the library does not reap it, Popen does.
            assert proc.wait(5) == 7
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@linux_only
def test_process_source_closes_the_pidfd_it_opened():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        source = miowin.Source.process(proc)
        fd = source.fileno()
        os.fstat(fd)  # open while the source lives
        source.close()
        with pytest.raises(OSError):
            os.fstat(fd)
        source.close()  # twice is harmless
    finally:
        proc.wait()


@pytest.mark.skipif(sys.platform != "win32", reason="Windows sockets are refused as waitables")
def test_waitable_socket_is_refused_on_windows():
    import socket

    with socket.socket() as s:
        with pytest.raises(miowin.NotSupportedError):
            miowin.Source.waitable(s)


@linux_only
def test_process_source_without_os_pidfd_open_uses_the_system_call(selector, monkeypatch):
    # Python 3.8 has no os.pidfd_open: the binding makes the call through libc instead.
    monkeypatch.delattr(os, "pidfd_open", raising=False)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        with miowin.Source.process(proc) as source:
            assert os.readlink(f"/proc/self/fd/{source.fileno()}") == "anon_inode:[pidfd]"
            source.register(selector, 5, READABLE)
            events = selector.poll(10)
            assert [token for token, _ in events] == [5]
    finally:
        proc.wait()

"""The miowin loop never hangs on what its selector cannot watch: each loop call that would
need a pipe, a pty or a subprocess fails at once, within BOUND seconds, with the documented
error, and nothing is left behind (no child process started, no registration).

Once the loaded library can watch any descriptor (miowin.selectors.ANY_DESCRIPTOR, on Linux),
the same calls must work instead, and the tests check that, so each of them holds either way.
"""

import asyncio
import errno
import os
import selectors
import subprocess
import sys
import tempfile
import time

import pytest

import miowin
import miowin.asyncio
from miowin.selectors import ANY_DESCRIPTOR, MiowSelector

BOUND = 1.0  # seconds within which an unsupported call must have failed
pytestmark = pytest.mark.timeout(30)

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and ptys")


@pytest.fixture
def loop():
    loop = miowin.asyncio.new_event_loop()
    yield loop
    loop.close()


def run_bounded(loop, coro):
    """Runs ``coro`` on ``loop``; returns (exception or None, seconds taken)."""
    start = time.monotonic()
    try:
        loop.run_until_complete(asyncio.wait_for(coro, 20))
        error = None
    except Exception as e:  # noqa: BLE001 - the test inspects it
        error = e
    return error, time.monotonic() - start


def assert_refused(error, elapsed):
    assert isinstance(error, NotImplementedError), repr(error)
    assert "sockets only" in str(error)
    assert elapsed < BOUND, elapsed


@unix_only
@pytest.mark.parametrize("how", ["subprocess_exec", "subprocess_shell", "create_subprocess_exec",
                                 "create_subprocess_shell"])
def test_subprocess_fails_at_once_and_starts_nothing(loop, how, tmp_path):
    marker = tmp_path / "ran"
    command = f"echo hello; touch {marker}"

    async def main():
        if how == "subprocess_exec":
            transport, _ = await loop.subprocess_exec(
                asyncio.SubprocessProtocol, "/bin/sh", "-c", command, stdout=subprocess.PIPE
            )
            transport.close()
        elif how == "subprocess_shell":
            transport, _ = await loop.subprocess_shell(
                asyncio.SubprocessProtocol, command, stdout=subprocess.PIPE
            )
            transport.close()
        elif how == "create_subprocess_exec":
            proc = await asyncio.create_subprocess_exec(
                "/bin/sh", "-c", command, stdout=subprocess.PIPE
            )
            out, _ = await proc.communicate()
            assert out == b"hello\n"
        else:
            proc = await asyncio.create_subprocess_shell(command, stdout=subprocess.PIPE)
            out, _ = await proc.communicate()
            assert out == b"hello\n"

    asyncio.set_event_loop(loop)  # the child watcher of Python < 3.12 wants a current loop
    try:
        error, elapsed = run_bounded(loop, main())
    finally:
        asyncio.set_event_loop(None)
    if ANY_DESCRIPTOR:
        assert error is None, repr(error)
        return
    assert_refused(error, elapsed)
    time.sleep(0.2)
    assert not marker.exists(), "the refused call started the child anyway"


@unix_only
@pytest.mark.parametrize("direction", ["read", "write"])
@pytest.mark.parametrize("kind", ["pipe", "pty"])
def test_pipe_transport_fails_at_once(loop, direction, kind):
    if kind == "pipe":
        r, w = os.pipe()
    else:
        pty = pytest.importorskip("pty")
        r, w = pty.openpty()  # master, slave: both ends read and write
    reader = os.fdopen(r, "rb", buffering=0)
    writer = os.fdopen(w, "wb", buffering=0)
    try:
        async def main():
            if direction == "read":
                transport, protocol = await loop.connect_read_pipe(asyncio.Protocol, reader)
            else:
                transport, protocol = await loop.connect_write_pipe(asyncio.Protocol, writer)
            transport.close()

        error, elapsed = run_bounded(loop, main())
        if ANY_DESCRIPTOR:
            assert error is None, repr(error)
            return
        assert_refused(error, elapsed)
        assert len(loop._selector.get_map()) == 1  # only the loop's own self-pipe socket
    finally:
        reader.close()
        writer.close()


@unix_only
@pytest.mark.parametrize("call", ["add_reader", "add_writer"])
def test_add_reader_on_pipe_fails_at_once(loop, call):
    r, w = os.pipe()
    try:
        start = time.monotonic()
        fd = r if call == "add_reader" else w
        if ANY_DESCRIPTOR:
            getattr(loop, call)(fd, lambda: None)
            getattr(loop, "remove_" + call[len("add_"):])(fd)
            return
        with pytest.raises(miowin.NotSocketError) as info:
            getattr(loop, call)(fd, lambda: None)
        assert time.monotonic() - start < BOUND
        assert info.value.errno == errno.ENOTSOCK
        assert "sockets only" in str(info.value)
        assert len(loop._selector.get_map()) == 1
    finally:
        os.close(r)
        os.close(w)


def test_register_regular_file_fails_at_once():
    # A regular file is never pollable, whatever the library offers: epoll's EPERM where it
    # takes any descriptor (as EpollSelector raises), ENOTSOCK where it takes sockets only.
    expected = PermissionError if ANY_DESCRIPTOR else miowin.NotSocketError
    with MiowSelector() as sel, tempfile.TemporaryFile() as f:
        start = time.monotonic()
        with pytest.raises(expected):
            sel.register(f, selectors.EVENT_READ)
        assert time.monotonic() - start < BOUND
        assert len(sel.get_map()) == 0


def test_capability_follows_the_loaded_library():
    exported = miowin._native.has_export("miow_source_new_waitable")
    assert exported == hasattr(miowin._native.lib, "miow_source_new_waitable")
    assert ANY_DESCRIPTOR == (exported and sys.platform.startswith("linux"))
    # Without it, Source.waitable says what is missing instead of failing obscurely.
    if not exported:
        with pytest.raises(NotImplementedError, match="miow_source_new_waitable"):
            miowin.Source.waitable(0)

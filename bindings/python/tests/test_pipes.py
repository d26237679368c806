"""NamedPipeServer and NamedPipeClient: a connect that is pending until a client opens and is
then reported writable, echo in both directions through a small pipe buffer, end of stream
when the client closes, disconnect and a second client, and the errors of a missing pipe, a
busy pipe, a second server of one name and I/O before the first registration."""

import io
import itertools
import os
import sys
import time

import pytest

import miowin
from miowin import READABLE, WRITABLE, Code, NamedPipeClient, NamedPipeServer
from conftest import LIMIT, silent, wait_for

# Every test here is bounded well inside pytest.ini's default.
pytestmark = pytest.mark.timeout(30)

SERVER, CLIENT = 1, 2  # tokens

_counter = itertools.count()


def pipe_name():
    """A name no other test, run or process uses."""
    return f"\\\\.\\pipe\\miowin-py-{os.getpid()}-{next(_counter)}"


def read_some(selector, token, pipe, size=65536):
    """One read that returns data or end of stream, waiting for events while it would block."""
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            return pipe.read(size)
        except BlockingIOError:
            assert time.monotonic() < deadline, "nothing arrived"
            wait_for(selector, token)


def write_all(selector, token, pipe, data):
    """Writes all of ``data``, waiting for events while the pipe would block."""
    deadline = time.monotonic() + LIMIT
    view = memoryview(data)
    while view:
        try:
            view = view[pipe.write(view) :]
        except BlockingIOError:
            assert time.monotonic() < deadline, f"{len(view)} bytes were never written"
            wait_for(selector, token)


def unfilled(buffers, filled):
    """What is left of ``buffers`` after the first ``filled`` bytes, as memoryviews."""
    views = []
    for buffer in buffers:
        view = memoryview(buffer)[filled:]
        filled = max(0, filled - len(buffer))
        if view:
            views.append(view)
    return views


def connected(selector, buffer_size=0):
    """A server and a client of a new pipe, connected, both registered READABLE | WRITABLE."""
    server = NamedPipeServer.create(pipe_name(), buffer_size)
    server.register(selector, SERVER, READABLE | WRITABLE)
    assert server.connect() is False
    client = NamedPipeClient.open(server.name)
    assert wait_for(selector, SERVER) & WRITABLE
    assert server.connect() is True
    client.register(selector, CLIENT, READABLE | WRITABLE)
    return server, client


@pytest.fixture
def pipes(selector):
    made = []

    def make(buffer_size=0):
        server, client = connected(selector, buffer_size)
        made.extend((server, client))
        return server, client

    yield make
    for p in made:
        p.close()


def test_connect_is_pending_until_a_client_opens_then_writable(selector):
    with NamedPipeServer.create(pipe_name()) as server:
        server.register(selector, SERVER, READABLE | WRITABLE)
        assert server.connect() is False
        assert server.connect() is False  # still pending: the same answer
        assert silent(selector, SERVER)
        with NamedPipeClient.open(server.name) as client:
            readiness = wait_for(selector, SERVER)
            assert readiness & WRITABLE
            assert not readiness & miowin.ERROR
            assert server.take_error() is None
            assert server.connect() is True
            client.register(selector, CLIENT, READABLE)
            assert server.write(b"hi") == 2
            assert read_some(selector, CLIENT, client) == b"hi"


def test_a_client_that_opened_first_is_connected_at_once(selector):
    with NamedPipeServer.create(pipe_name()) as server:
        server.register(selector, SERVER, READABLE | WRITABLE)
        with NamedPipeClient.open(server.name) as client:
            assert server.connect() is True
            client.register(selector, CLIENT, READABLE)
            write_all(selector, SERVER, server, b"early")
            assert read_some(selector, CLIENT, client) == b"early"


def test_echo_both_ways_through_a_128_byte_buffer(selector, pipes):
    server, client = pipes(buffer_size=128)
    # A short message each way.
    assert client.write(b"ping") == 4
    assert read_some(selector, SERVER, server) == b"ping"
    assert server.write(b"pong") == 4
    assert read_some(selector, CLIENT, client) == b"pong"

    # 10,000 bytes from the client, echoed back by the server, all through one event loop.
    payload = bytes(i % 251 for i in range(10_000))
    sent = 0
    pending = b""
    echoed = b""
    deadline = time.monotonic() + LIMIT
    while len(echoed) < len(payload):
        assert time.monotonic() < deadline, f"echoed {len(echoed)} of {len(payload)} bytes"
        for token, readiness in selector.poll(0.2):
            assert not readiness & miowin.ERROR, (token, readiness)
        # Level registrations: try every side on each round, as the readiness may have come
        # before this poll.
        if sent < len(payload):
            try:
                sent += client.write(payload[sent:])
            except BlockingIOError:
                pass
        try:
            chunk = server.read(65536)
            assert chunk, "the server read end of stream"
            pending += chunk
        except BlockingIOError:
            pass
        if pending:
            try:
                pending = pending[server.write(pending) :]
            except BlockingIOError:
                pass
        try:
            chunk = client.read(65536)
            assert chunk, "the client read end of stream"
            echoed += chunk
        except BlockingIOError:
            pass
    assert echoed == payload


def test_a_read_takes_at_most_the_callers_buffer(selector, pipes):
    server, client = pipes()
    client.write(b"abcdef")
    assert read_some(selector, SERVER, server, 2) == b"ab"
    assert server.peek(3) == b"cde"
    buffer = bytearray(10)
    assert server.readinto(buffer) == 4
    assert bytes(buffer[:4]) == b"cdef"
    with pytest.raises(miowin.WouldBlockError) as ei:
        server.read(10)
    assert ei.value.code == Code.EWOULDBLOCK


def test_vectored_reads_and_writes(selector, pipes):
    server, client = pipes()
    assert client.writev([b"ab", bytearray(b"cde"), memoryview(b"fghi"), b""]) == 9
    wait_for(selector, SERVER)
    parts = [bytearray(1), bytearray(3), bytearray(10)]
    got = 0
    deadline = time.monotonic() + LIMIT
    while got < 9:
        # The bytes may come in more than one read: each continues where the last one stopped.
        assert time.monotonic() < deadline
        try:
            got += server.readv(unfilled(parts, got))
        except BlockingIOError:
            wait_for(selector, SERVER)
    assert (bytes(parts[0]), bytes(parts[1]), bytes(parts[2][:5])) == (b"a", b"bcd", b"efghi")


def test_closing_the_client_ends_the_servers_stream(selector, pipes):
    server, client = pipes()
    write_all(selector, CLIENT, client, b"bye")
    client.close()
    data = b""
    deadline = time.monotonic() + LIMIT
    while True:
        assert time.monotonic() < deadline, "no end of stream"
        chunk = read_some(selector, SERVER, server)
        if not chunk:
            break
        data += chunk
    assert data == b"bye"
    assert server.read(10) == b""  # and it stays ended
    # Writing to a pipe whose client is gone fails; on Windows a write may first be accepted
    # and fail in the background, and then the next write reports it.
    with pytest.raises(miowin.PeerClosedError) as ei:
        write_all(selector, SERVER, server, b"x" * 100_000)
    assert isinstance(ei.value, BrokenPipeError)
    assert ei.value.code == Code.EPIPE


def test_disconnect_then_a_second_client(selector, pipes):
    server, first = pipes()
    write_all(selector, CLIENT, first, b"one")
    assert read_some(selector, SERVER, server) == b"one"
    server.disconnect()
    server.disconnect()  # harmless without a client
    # The first client sees the end of its stream.
    assert read_some(selector, CLIENT, first) == b""
    first.close()

    assert server.connect() is False
    with NamedPipeClient.open(server.name) as second:
        assert wait_for(selector, SERVER) & WRITABLE
        assert server.connect() is True
        second.register(selector, 3, READABLE | WRITABLE)
        write_all(selector, 3, second, b"two")
        assert read_some(selector, SERVER, server) == b"two"
        write_all(selector, SERVER, server, b"back")
        assert read_some(selector, 3, second) == b"back"


def test_opening_a_missing_pipe_is_pipe_not_found():
    with pytest.raises(miowin.PipeNotFoundError) as ei:
        NamedPipeClient.open(pipe_name())
    err = ei.value
    assert isinstance(err, FileNotFoundError) and isinstance(err, miowin.Error)
    assert err.code == Code.ENOTFOUND
    assert err.function == "miow_pipe_open"
    assert "MIOW_ENOTFOUND" in str(err)
    assert err.os_error != 0
    if sys.platform == "win32":
        assert err.os_error == 2  # ERROR_FILE_NOT_FOUND


def test_a_pipe_serving_a_client_is_busy(selector, pipes):
    server, _ = pipes()
    with pytest.raises(miowin.PipeBusyError) as ei:
        NamedPipeClient.open(server.name)
    err = ei.value
    assert isinstance(err, miowin.Error) and isinstance(err, OSError)
    assert not isinstance(err, (BlockingIOError, FileNotFoundError, KeyError, ValueError))
    assert err.code == Code.EPIPEBUSY
    assert err.function == "miow_pipe_open"
    if sys.platform == "win32":
        assert err.os_error == 231  # ERROR_PIPE_BUSY


def test_a_second_server_of_the_same_name_is_address_in_use():
    with NamedPipeServer.create(pipe_name()) as server:
        with pytest.raises(miowin.AddressInUseError) as ei:
            NamedPipeServer.create(server.name)
        assert ei.value.code == Code.EADDRINUSE
        assert ei.value.function == "miow_pipe_create"
    # Once the first is closed, the name is free again.
    with NamedPipeServer.create(server.name):
        pass


def test_io_before_the_first_registration_is_not_registered(selector):
    with NamedPipeServer.create(pipe_name()) as server:
        for call in (
            server.connect,
            lambda: server.read(1),
            lambda: server.peek(1),
            lambda: server.write(b"x"),
            lambda: server.readv([bytearray(1)]),
            lambda: server.writev([b"x"]),
        ):
            with pytest.raises(miowin.NotRegisteredError) as ei:
                call()
            assert ei.value.code == Code.ENOENT
            assert isinstance(ei.value, KeyError)
        server.register(selector, SERVER, WRITABLE)
        assert server.connect() is False
        with NamedPipeClient.open(server.name) as client:
            with pytest.raises(miowin.NotRegisteredError):
                client.write(b"x")
            with pytest.raises(miowin.NotRegisteredError):
                client.read(1)
            # Registered once, a pipe's I/O keeps working after deregistration.
            client.register(selector, CLIENT, READABLE)
            client.deregister(selector)
            write_all(selector, CLIENT, client, b"ok")
            wait_for(selector, SERVER)
            assert server.connect() is True
            assert read_some(selector, SERVER, server) == b"ok"


def test_a_pipe_stays_with_its_first_selector_on_windows(selector):
    with NamedPipeServer.create(pipe_name()) as server, miowin.Selector() as other:
        server.register(selector, SERVER, READABLE)
        server.deregister(selector)
        if sys.platform == "win32":
            with pytest.raises(miowin.NotSupportedError) as ei:
                server.register(other, SERVER, READABLE)
            assert ei.value.code == Code.ENOTSUP
            server.register(selector, SERVER, READABLE)  # its own selector is still fine
        else:
            server.register(other, SERVER, READABLE)  # a socket may move on Linux


def test_pipes_are_sources_without_a_descriptor(selector, pipes):
    server, client = pipes()
    assert isinstance(server, miowin.Source) and isinstance(client, miowin.Source)
    assert server.selector is selector
    with pytest.raises(io.UnsupportedOperation):
        server.fileno()
    assert "NamedPipeServer" in repr(server) and "miowin-py-" in repr(server)
    assert client.name == server.name
    with pytest.raises(TypeError):
        NamedPipeServer(server.name)
    with pytest.raises(TypeError):
        NamedPipeClient.open(b"\\\\.\\pipe\\bytes")
    with pytest.raises(ValueError):
        NamedPipeServer.create("\\\\.\\pipe\\nul\0inside")
    with pytest.raises(ValueError):
        NamedPipeServer.create(pipe_name(), -1)
    with pytest.raises(miowin.InvalidArgumentError):
        NamedPipeServer.create("no-prefix")
    with pytest.raises(miowin.InvalidArgumentError):
        NamedPipeClient.open("\\\\.\\pipe\\")
    client.close()
    assert client.closed
    with pytest.raises(miowin.BadHandleError):
        client.read(1)


def test_connect_and_disconnect_are_for_servers_only(selector, pipes):
    _, client = pipes()
    lib = miowin._native.lib
    assert lib.miow_pipe_connect(client.handle) == Code.ENOTSUP
    assert lib.miow_pipe_disconnect(client.handle) == Code.ENOTSUP
    with miowin.TcpListener.bind("127.0.0.1:0") as listener:
        assert lib.miow_pipe_connect(listener.handle) == Code.ENOTSUP
        assert lib.miow_pipe_disconnect(listener.handle) == Code.ENOTSUP
    assert lib.miow_pipe_connect(None) == Code.EBADHANDLE
    assert lib.miow_pipe_disconnect(None) == Code.EBADHANDLE

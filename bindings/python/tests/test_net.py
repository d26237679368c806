"""TcpListener, TcpStream and UdpSocket: sockets the library creates, registered with a Selector
like any Source, their I/O with would-block raised as BlockingIOError, addresses as socket-module tuples,
options, and the errors of the calls that do not apply to a kind of socket."""

import ctypes
import io
import socket
import sys
import time

import pytest

import miowin
from miowin import EDGE, READABLE, WRITABLE, Code, TcpListener, TcpStream, UdpSocket, _native, _net
from conftest import LIMIT, silent, wait_for

lib = _native.lib

# Every test here is bounded well inside pytest.ini's default.
pytestmark = pytest.mark.timeout(30)

def is_loopback_v4(address):
    """Whether ``address`` is a ``("127.0.0.1", port)`` tuple with a real port."""
    return (
        type(address) is tuple
        and len(address) == 2
        and address[0] == "127.0.0.1"
        and type(address[1]) is int
        and 0 < address[1] < 65536
    )


def assert_options_read_back(sock, **values):
    """Sets each option to each of its values in turn; each reads back equal and of its type."""
    for name, sequence in values.items():
        for value in sequence:
            setattr(sock, name, value)
            got = getattr(sock, name)
            assert got == value and type(got) is type(value), (name, value, got)


def ipv6_loopback(cls):
    """``cls.bind("[::1]:0")``, or a skip where there is no IPv6 loopback."""
    try:
        return cls.bind("[::1]:0")
    except miowin.AddressNotAvailableError:
        pytest.skip("no IPv6 loopback here")


def read_exactly(selector, token, stream, size):
    """Reads ``size`` bytes from a registered stream, waiting for events between reads."""
    data = b""
    deadline = time.monotonic() + LIMIT
    while len(data) < size:
        assert time.monotonic() < deadline, f"only {len(data)} of {size} bytes arrived"
        try:
            chunk = stream.read(size - len(data))
        except BlockingIOError:
            wait_for(selector, token)
            continue
        assert chunk, "end of stream before all the bytes arrived"
        data += chunk
    return data


@pytest.fixture
def listener():
    with TcpListener.bind("127.0.0.1:0") as listener:
        yield listener


@pytest.fixture
def pair(selector, listener):
    """A connected (client, server) pair of TcpStreams, neither registered."""
    client = TcpStream.connect(listener.local_address)
    listener.register(selector, 100, READABLE)
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            server, _ = listener.accept()
            break
        except BlockingIOError:
            assert time.monotonic() < deadline, "the connection was never accepted"
            wait_for(selector, 100)
    listener.deregister(selector)
    client.register(selector, 101, WRITABLE)
    wait_for(selector, 101)
    client.deregister(selector)
    assert client.take_error() is None
    yield client, server
    client.close()
    server.close()


@pytest.fixture
def udp_pair():
    with UdpSocket.bind("127.0.0.1:0") as a, UdpSocket.bind("127.0.0.1:0") as b:
        yield a, b


# --- TCP ---------------------------------------------------------------------------------------


def test_tcp_echo_through_a_selector(selector, listener):
    listener.register(selector, 1, READABLE)
    client = TcpStream.connect(listener.local_address)
    client.register(selector, 2, READABLE | WRITABLE)
    server = None
    to_send = b"hello, miowin " * 1000
    sent = 0
    echoed = b""
    pending = b""
    deadline = time.monotonic() + LIMIT
    try:
        while len(echoed) < len(to_send):
            assert time.monotonic() < deadline, f"echoed {len(echoed)} of {len(to_send)} bytes"
            for token, readiness in selector.poll(0.2):
                assert not readiness & miowin.ERROR, (token, readiness)
                if token == 1:
                    server, _ = listener.accept()
                    server.register(selector, 3, READABLE | WRITABLE)
                elif token == 2:
                    if readiness & WRITABLE and sent < len(to_send):
                        try:
                            sent += client.write(to_send[sent:])
                        except BlockingIOError:
                            pass
                    if readiness & READABLE:
                        try:
                            echoed += client.read(65536)
                        except BlockingIOError:
                            pass
                elif token == 3:
                    if readiness & READABLE:
                        try:
                            pending += server.read(65536)
                        except BlockingIOError:
                            pass
                    if pending:
                        try:
                            pending = pending[server.write(pending) :]
                        except BlockingIOError:
                            pass
        assert echoed == to_send
        client.shutdown(miowin.SHUT_WRITE)
        deadline = time.monotonic() + LIMIT
        while True:
            try:
                assert server.read(100) == b""  # end of stream
                break
            except BlockingIOError:
                assert time.monotonic() < deadline
                time.sleep(0.01)
    finally:
        client.close()
        if server is not None:
            server.close()


def test_accept_until_would_block(selector, listener):
    listener.register(selector, 1, READABLE | EDGE)
    clients = [TcpStream.connect(listener.local_address) for _ in range(3)]
    accepted = []
    deadline = time.monotonic() + LIMIT
    try:
        while len(accepted) < len(clients):
            assert time.monotonic() < deadline, f"accepted {len(accepted)} of {len(clients)}"
            wait_for(selector, 1)
            # Edge mode: the listener is reported again only once accept has said would-block.
            while True:
                try:
                    accepted.append(listener.accept())
                except BlockingIOError as e:
                    assert isinstance(e, miowin.WouldBlockError)
                    assert e.code == Code.EWOULDBLOCK
                    break
        with pytest.raises(miowin.WouldBlockError):
            listener.accept()
        for stream, peer in accepted:
            assert isinstance(stream, TcpStream) and isinstance(stream, miowin.Source)
            assert is_loopback_v4(peer)
            assert stream.peer_address == peer
        assert sorted(peer for _, peer in accepted) == sorted(c.local_address for c in clients)
        # The re-arm after would-block keeps edge mode listening: a fourth client is reported.
        clients.append(TcpStream.connect(listener.local_address))
        wait_for(selector, 1)
        accepted.append(listener.accept())
    finally:
        for c in clients:
            c.close()
        for s, _ in accepted:
            s.close()


def test_connect_refused_is_reported_by_take_error(selector):
    with TcpListener.bind("127.0.0.1:0") as gone:
        address = gone.local_address
    with TcpStream.connect(address) as stream:
        stream.register(selector, 1, WRITABLE)
        readiness = wait_for(selector, 1)
        assert readiness & (miowin.ERROR | miowin.WRITE_CLOSED)
        error = stream.take_error()
        assert isinstance(error, miowin.RefusedError)
        assert isinstance(error, ConnectionRefusedError) and isinstance(error, miowin.Error)
        assert error.code == Code.ECONNREFUSED
        assert error.function == "miow_source_take_error"
        if sys.platform != "win32":
            assert error.errno == error.os_error == 111  # ECONNREFUSED
        if sys.platform != "win32":  # Wine 8's SO_ERROR keeps a failed connect's error
            assert stream.take_error() is None  # taking it cleared it
        with pytest.raises(miowin.NotConnectedError) as ei:
            stream.peer_address
        assert ei.value.code == Code.ENOTCONN


def test_edge_registration_is_rearmed_by_a_read_that_would_block(selector, pair):
    client, server = pair
    server.register(selector, 7, READABLE | EDGE)
    client.write(b"one")
    wait_for(selector, 7)
    assert read_exactly(selector, 7, server, 3) == b"one"
    with pytest.raises(miowin.WouldBlockError):
        server.read(100)
    # No rearm() by the host: the would-block did it.
    client.write(b"two")
    wait_for(selector, 7)
    assert server.read(100) == b"two"


def test_write_until_would_block_then_writable_again(selector, pair):
    client, server = pair
    client.register(selector, 5, WRITABLE | EDGE)
    wait_for(selector, 5)
    chunk = b"x" * 65536
    total = 0
    with pytest.raises(BlockingIOError):
        while True:
            total += client.write(chunk)
            assert total < 1 << 30, "the send buffer never filled"
    assert silent(selector, 5)
    server.register(selector, 6, READABLE)
    drained = 0
    deadline = time.monotonic() + LIMIT
    while drained < total:
        assert time.monotonic() < deadline
        try:
            drained += len(server.read(1 << 20))
        except BlockingIOError:
            wait_for(selector, 6)
    assert drained == total
    assert wait_for(selector, 5) & WRITABLE


def test_peek_does_not_consume(selector, pair):
    client, server = pair
    server.register(selector, 1, READABLE)
    assert client.write(b"peekaboo") == 8
    wait_for(selector, 1)
    assert server.peek(4) == b"peek"
    assert server.peek(100) == b"peekaboo"
    assert wait_for(selector, 1) & READABLE  # still readable: nothing was consumed
    buffer = bytearray(100)
    assert server.readinto(buffer) == 8
    assert bytes(buffer[:8]) == b"peekaboo"
    with pytest.raises(miowin.WouldBlockError):
        server.peek(10)


def test_readv_and_writev(selector, pair):
    client, server = pair
    server.register(selector, 1, READABLE)
    assert client.writev([b"ab", bytearray(b"cde"), memoryview(b"fghi"), b""]) == 9
    wait_for(selector, 1)
    parts = [bytearray(1), bytearray(0), bytearray(3), bytearray(10)]
    assert server.readv(parts) == 9
    assert [bytes(p) for p in parts[:3]] == [b"a", b"", b"bcd"]
    assert bytes(parts[3][:5]) == b"efghi"
    with pytest.raises(miowin.WouldBlockError):
        server.readv([bytearray(4)])
    with pytest.raises(TypeError):
        server.readv([b"read-only"])


def test_zero_length_writes_send_nothing(selector, pair):
    client, server = pair
    server.register(selector, 1, READABLE)
    assert client.write(b"") == 0
    assert client.writev([]) == 0
    assert client.writev([b"", bytearray()]) == 0
    assert silent(selector, 1)
    with pytest.raises(miowin.WouldBlockError):
        server.read(1)


def test_shutdown_write_ends_the_peers_stream_and_later_writes_fail(selector, pair):
    client, server = pair
    server.register(selector, 1, READABLE)
    client.shutdown(miowin.SHUT_WRITE)
    wait_for(selector, 1)
    assert server.read(10) == b""
    with pytest.raises(BrokenPipeError) as ei:
        client.write(b"late")
    assert isinstance(ei.value, miowin.ShutdownError)
    assert ei.value.code == Code.ESHUTDOWN
    # The other direction still works.
    client.register(selector, 2, READABLE)
    server.write(b"still here")
    wait_for(selector, 2)
    assert client.read(100) == b"still here"
    with pytest.raises(miowin.InvalidArgumentError):
        client.shutdown(0)
    with pytest.raises(miowin.InvalidArgumentError):
        client.shutdown(socket.SHUT_RDWR + 2)


def test_closing_a_stream_closes_its_socket(selector, pair):
    client, server = pair
    client.register(selector, 1, READABLE)
    server.close()
    wait_for(selector, 1)
    assert client.read(10) == b""
    with pytest.raises(miowin.BadHandleError):
        server.read(10)
    assert server.closed


def test_addresses_round_trip(selector, listener, pair):
    client, server = pair
    local = listener.local_address
    assert is_loopback_v4(local)
    assert client.peer_address == local
    assert server.local_address == local
    assert server.peer_address == client.local_address
    assert is_loopback_v4(client.local_address)
    # What the OS says about the socket behind the source is the same, in the same form.
    if sys.platform != "win32":
        with socket.fromfd(client.fileno(), socket.AF_INET, socket.SOCK_STREAM) as dup:
            assert dup.getsockname() == client.local_address
            assert dup.getpeername() == local


def test_addresses_in_as_tuples_or_text():
    with TcpListener.bind(("127.0.0.1", 0)) as listener:
        host, port = listener.local_address
        with TcpStream.connect((host, port)) as a, TcpStream.connect(f"{host}:{port}") as b:
            assert a.peer_address == b.peer_address == (host, port)
    with pytest.raises(TypeError):
        TcpListener.bind(("127.0.0.1",))
    with pytest.raises(TypeError):
        TcpListener.bind(8080)
    with pytest.raises(TypeError):
        TcpListener.bind(("127.0.0.1", 0, 0, 0))  # a 4-tuple is IPv6


def test_ipv6_addresses_are_four_tuples():
    with ipv6_loopback(TcpListener) as listener:
        host, port, flowinfo, scope_id = listener.local_address
        assert (host, flowinfo, scope_id) == ("::1", 0, 0) and port > 0
        assert listener.only_v6 is True
        for address in [("::1", port, 0, 0), ("::1", port), f"[::1]:{port}"]:
            with TcpStream.connect(address) as stream:
                local = stream.local_address
                assert local[0] == "::1" and local[2:] == (0, 0) and local[1] > 0
                if sys.platform != "win32":
                    with socket.fromfd(stream.fileno(), socket.AF_INET6, socket.SOCK_STREAM) as d:
                        assert d.getsockname() == local
        with pytest.raises(ValueError, match="flowinfo"):
            TcpStream.connect(("::1", port, 5, 0))


@pytest.mark.parametrize(
    "text, address",
    [
        ("127.0.0.1:80", ("127.0.0.1", 80)),
        ("[::1]:8080", ("::1", 8080, 0, 0)),
        ("[fe80::1%3]:80", ("fe80::1", 80, 0, 3)),
        ("[::ffff:10.0.0.1]:1", ("::ffff:10.0.0.1", 1, 0, 0)),
    ],
)
def test_library_text_and_tuples_convert_both_ways(text, address):
    # A scope id needs a link-local address on an interface, which a test machine may lack, so
    # the conversions are pinned on their own here.
    buffer = ctypes.create_string_buffer(text.encode(), _native.MIOW_ADDRESS_SIZE)
    assert _net._address_tuple(buffer) == address
    assert _net._address_text(address) == text.encode()


def test_udp_addresses_are_tuples_v6(selector):
    with ipv6_loopback(UdpSocket) as a, UdpSocket.bind(("::1", 0)) as b:
        a.register(selector, 1, READABLE)
        b.send_to(b"six", a.local_address)
        wait_for(selector, 1)
        data, sender = a.recv_from(10)
        assert data == b"six" and sender == b.local_address and len(sender) == 4


@pytest.mark.parametrize(
    "address",
    ["localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "::1:80", "[::1]80", ""],
)
def test_bad_addresses_are_invalid_arguments(address):
    with pytest.raises(miowin.InvalidArgumentError) as ei:
        TcpListener.bind(address)
    assert ei.value.code == Code.EINVAL
    with pytest.raises(miowin.InvalidArgumentError):
        UdpSocket.bind(address)


def test_a_second_listener_on_the_same_address_is_address_in_use(listener):
    with pytest.raises(miowin.AddressInUseError) as ei:
        TcpListener.bind(listener.local_address)
    assert ei.value.code == Code.EADDRINUSE
    assert isinstance(ei.value, OSError)


def test_an_address_of_another_machine_is_not_available():
    # TEST-NET-1 is never a local address. (Wine 8 binds a UDP socket to it all the same.)
    with pytest.raises(miowin.AddressNotAvailableError) as ei:
        TcpListener.bind("192.0.2.1:0")
    assert ei.value.code == Code.EADDRNOTAVAIL
    if sys.platform != "win32":
        with pytest.raises(miowin.AddressNotAvailableError):
            UdpSocket.bind("192.0.2.1:0")


def test_tcp_options(pair, listener):
    client, _ = pair
    assert_options_read_back(client, nodelay=(True, False), ttl=(42,))
    assert_options_read_back(listener, ttl=(17,))
    for bad in (0, 256, -1):
        with pytest.raises(miowin.InvalidArgumentError):
            client.ttl = bad
    with pytest.raises(ValueError):
        client.ttl = 2**40
    # IPV6_V6ONLY is for IPv6 sockets only.
    with pytest.raises(miowin.NotSupportedError):
        client.only_v6


def test_constructors_are_not_for_calling():
    for cls in (TcpListener, TcpStream, UdpSocket):
        with pytest.raises(TypeError):
            cls("127.0.0.1:0")


# --- UDP ---------------------------------------------------------------------------------------


def test_udp_send_to_recv_from_round_trip_with_an_empty_datagram(selector, udp_pair):
    a, b = udp_pair
    b.register(selector, 1, READABLE)
    assert a.send_to(b"hello", b.local_address) == 5
    wait_for(selector, 1)
    assert b.recv_from(100) == (b"hello", a.local_address)
    assert a.send_to(b"", b.local_address) == 0
    wait_for(selector, 1)
    assert b.recv_from(100) == (b"", a.local_address)
    with pytest.raises(miowin.WouldBlockError):
        b.recv_from(100)
    buffer = bytearray(8)
    a.send_to(memoryview(b"into"), "127.0.0.1:%d" % b.local_address[1])
    wait_for(selector, 1)
    assert b.recv_from_into(buffer) == (4, a.local_address)
    assert bytes(buffer[:4]) == b"into"


def test_udp_peek_from_leaves_the_datagram(selector, udp_pair):
    a, b = udp_pair
    b.register(selector, 1, READABLE)
    a.send_to(b"0123456789", b.local_address)
    wait_for(selector, 1)
    assert b.peek_from(100) == (b"0123456789", a.local_address)
    with pytest.raises(miowin.MessageTooLargeError) as ei:
        b.peek_from(4)  # too small: not consumed by a peek
    assert ei.value.code == Code.EMSGSIZE
    assert b.recv_from(100) == (b"0123456789", a.local_address)


def test_udp_datagram_larger_than_the_buffer_is_consumed_with_emsgsize(selector, udp_pair):
    a, b = udp_pair
    b.register(selector, 1, READABLE)
    a.send_to(b"0123456789", b.local_address)
    a.send_to(b"next", b.local_address)
    wait_for(selector, 1)
    with pytest.raises(miowin.MessageTooLargeError):
        b.recv_from(4)
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            assert b.recv_from(100) == (b"next", a.local_address)
            break
        except BlockingIOError:
            assert time.monotonic() < deadline
            wait_for(selector, 1)


def test_connected_udp_reads_and_writes_its_peer(selector, udp_pair):
    a, b = udp_pair
    with pytest.raises(miowin.NotConnectedError):
        a.peer_address
    a.connect(b.local_address)
    b.connect(a.local_address)
    assert a.peer_address == b.local_address
    b.register(selector, 1, READABLE)
    assert a.write(b"dgram") == 5
    wait_for(selector, 1)
    assert b.peek(100) == b"dgram"
    assert b.read(100) == b"dgram"
    assert a.writev([b"two ", b"parts"]) == 9
    wait_for(selector, 1)
    parts = [bytearray(4), bytearray(16)]
    assert b.readv(parts) == 9
    assert bytes(parts[0]) + bytes(parts[1][:5]) == b"two parts"


def test_udp_without_a_peer_cannot_write(udp_pair):
    a, _ = udp_pair
    with pytest.raises(miowin.NotConnectedError) as ei:
        a.write(b"nowhere")
    assert ei.value.code == Code.ENOTCONN


def test_udp_options(udp_pair):
    a, _ = udp_pair
    assert_options_read_back(
        a, broadcast=(True, False), multicast_loop_v4=(False, True), multicast_ttl_v4=(7,)
    )
    assert_options_read_back(a, ttl=(99,))
    with pytest.raises(miowin.NotSupportedError):
        a.multicast_loop_v6
    with pytest.raises(miowin.NotSupportedError):
        a._get_option(_native.MIOW_OPT_NODELAY)
    with pytest.raises(miowin.InvalidArgumentError):
        a._get_option(99)


def test_udp_ipv6_options():
    with ipv6_loopback(UdpSocket) as sock:
        assert sock.only_v6 is True
        sock.multicast_loop_v6 = False
        assert sock.multicast_loop_v6 is False
        with pytest.raises(miowin.NotSupportedError):
            sock.multicast_ttl_v4
        with pytest.raises(miowin.NotSupportedError):
            sock.join_multicast_v4("239.255.0.1")


def test_multicast_v4_join_and_leave(udp_pair):
    a, _ = udp_pair
    try:
        a.join_multicast_v4("239.255.0.1", "127.0.0.1")
    except miowin.Error as e:
        if e.code not in (Code.EADDRNOTAVAIL, Code.EOS):
            raise
        pytest.skip(f"no multicast on the loopback interface here: {e}")
    a.leave_multicast_v4("239.255.0.1", "127.0.0.1")
    with pytest.raises(miowin.InvalidArgumentError):
        a.join_multicast_v4("not-an-ip")
    with pytest.raises(miowin.InvalidArgumentError):
        a.join_multicast_v4("239.255.0.1:80")
    with pytest.raises(miowin.NotSupportedError):
        a.join_multicast_v6("ff02::1:3")


# --- kinds and errors --------------------------------------------------------------------------


def _raw_calls(handle):
    """One raw call of each family, on ``handle``; name -> result code."""
    size = ctypes.c_size_t()
    buffer = ctypes.create_string_buffer(64)
    out = ctypes.c_void_p()
    value = ctypes.c_int32()
    return {
        "accept": lib.miow_tcp_accept(handle, ctypes.byref(out), buffer, 64),
        "read": lib.miow_source_read(handle, buffer, 64, ctypes.byref(size)),
        "write": lib.miow_source_write(handle, b"x", 1, ctypes.byref(size)),
        "send_to": lib.miow_udp_send_to(handle, b"x", 1, b"127.0.0.1:9", ctypes.byref(size)),
        "recv_from": lib.miow_udp_recv_from(handle, buffer, 64, ctypes.byref(size), None, 0),
        "udp_connect": lib.miow_udp_connect(handle, b"127.0.0.1:9"),
        "shutdown": lib.miow_source_shutdown(handle, _native.MIOW_SHUT_BOTH),
        "nodelay": lib.miow_source_get_option(
            handle, _native.MIOW_OPT_NODELAY, ctypes.byref(value)
        ),
        "broadcast": lib.miow_source_get_option(
            handle, _native.MIOW_OPT_BROADCAST, ctypes.byref(value)
        ),
    }


def _not_supported(handle):
    """The names of the raw calls that ``handle`` refuses with MIOW_ENOTSUP."""
    return {name for name, rc in _raw_calls(handle).items() if rc == _native.MIOW_ENOTSUP}


def test_calls_of_the_wrong_kind_are_not_supported(listener, pair, udp_pair):
    client, _ = pair
    udp, _ = udp_pair
    assert _not_supported(listener.handle) == {
        "read", "write", "send_to", "recv_from", "udp_connect", "shutdown", "nodelay", "broadcast"
    }
    assert _not_supported(client.handle) == {
        "accept", "send_to", "recv_from", "udp_connect", "broadcast"
    }
    assert _not_supported(udp.handle) == {"accept", "shutdown", "nodelay"}


def test_library_calls_on_a_caller_owned_socket_are_not_supported(socketpair):
    a, _ = socketpair()
    with miowin.Source(a) as src:
        got = _raw_calls(src.handle)
        assert set(got.values()) == {_native.MIOW_ENOTSUP}
        error = ctypes.c_int32()
        assert lib.miow_source_take_error(src.handle, ctypes.byref(error), None) == -20
        address = ctypes.create_string_buffer(64)
        assert lib.miow_source_local_address(src.handle, address, 64) == -20
        # miow_source_socket is the one call that works on every source.
        value = _native.c_socket()
        assert lib.miow_source_socket(src.handle, ctypes.byref(value)) == 0
        assert value.value == a.fileno()


def test_not_supported_is_an_unsupported_operation(listener):
    with pytest.raises(miowin.NotSupportedError) as ei:
        listener._get_option(_native.MIOW_OPT_NODELAY)  # an option of streams
    err = ei.value
    assert isinstance(err, io.UnsupportedOperation)
    assert isinstance(err, miowin.Error) and isinstance(err, ValueError)
    assert err.code == Code.ENOTSUP
    assert "MIOW_ENOTSUP" in str(err)
    assert err.function == "miow_source_get_option"


def test_raw_small_address_buffers_are_invalid(listener):
    buffer = ctypes.create_string_buffer(b"untouched", 10)
    assert lib.miow_source_local_address(listener.handle, buffer, 10) == _native.MIOW_EINVAL
    assert buffer.value == b"untouched"
    assert lib.miow_source_local_address(listener.handle, None, 64) == _native.MIOW_EINVAL


def test_raw_vectored_limits(pair):
    client, _ = pair
    size = ctypes.c_size_t()
    too_many = (_native.Buffer * (_native.MIOW_BUFFERS_MAX + 1))()
    assert lib.miow_source_writev(client.handle, too_many, len(too_many), ctypes.byref(size)) == -1
    null_data = (_native.Buffer * 1)()
    null_data[0].length = 1
    assert lib.miow_source_writev(client.handle, null_data, 1, ctypes.byref(size)) == -1
    assert lib.miow_source_writev(client.handle, None, 1, ctypes.byref(size)) == -1


def test_source_socket_is_the_fileno(pair):
    client, _ = pair
    value = _native.c_socket()
    assert lib.miow_source_socket(client.handle, ctypes.byref(value)) == 0
    assert value.value == client.fileno()
    client.close()
    assert lib.miow_source_socket(client.handle, ctypes.byref(value)) == _native.MIOW_EBADHANDLE


def test_take_error_on_a_healthy_socket_is_none(listener, udp_pair):
    assert listener.take_error() is None
    assert udp_pair[0].take_error() is None


def test_net_objects_are_sources_that_register_like_any(selector, udp_pair):
    a, b = udp_pair
    assert isinstance(a, miowin.Source)
    b.register(selector, 9, READABLE | miowin.ONESHOT)
    a.send_to(b"1", b.local_address)
    assert wait_for(selector, 9) & READABLE
    assert b.selector is selector
    # Oneshot: the library leaves the re-arm to the host, even after a would-block.
    b.recv_from(10)
    with pytest.raises(BlockingIOError):
        b.recv_from(10)
    a.send_to(b"2", b.local_address)
    assert silent(selector, 9)
    b.rearm()
    assert wait_for(selector, 9) & READABLE
    b.reregister(selector, 10, READABLE)
    assert wait_for(selector, 10) & READABLE
    b.deregister(selector)
    assert b.selector is None
    assert "UdpSocket" in repr(b) and repr(b.local_address) in repr(b)

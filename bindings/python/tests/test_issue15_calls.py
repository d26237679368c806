"""The miowin 1.2 calls of issue 15 in Python: dual-stack IPv6 listeners and UDP sockets,
named pipes with several instances, adopting a host's socket or pipe end, and releasing a
source's socket or pipe back to the host, open."""

import itertools
import os
import socket
import sys
import time

import pytest

import miowin
from miowin import READABLE, WRITABLE, NamedPipeClient, NamedPipeServer, TcpListener, TcpStream
from miowin import UdpSocket
from conftest import LIMIT, wait_for

pytestmark = [
    pytest.mark.timeout(30),
    pytest.mark.skipif(
        not miowin._native.has_export("miow_source_release"),
        reason="the loaded library predates miowin 1.2",
    ),
]

_counter = itertools.count()


def pipe_name():
    return f"\\\\.\\pipe\\miowin-py-adopt-{os.getpid()}-{next(_counter)}"


def has_ipv6():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not has_ipv6(), reason="no IPv6 loopback here")


def accept_one(selector, listener, token=1):
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            return listener.accept()
        except BlockingIOError:
            assert time.monotonic() < deadline, "no connection arrived"
            wait_for(selector, token)


@needs_ipv6
def test_dual_stack_listener_accepts_an_ipv4_client_as_a_mapped_address(selector):
    with TcpListener.bind(("::", 0), dual_stack=True) as listener:
        assert listener.only_v6 is False
        port = listener.local_address[1]
        listener.register(selector, 1, READABLE)
        with socket.create_connection(("127.0.0.1", port), timeout=LIMIT) as client:
            stream, peer = accept_one(selector, listener)
            with stream:
                assert peer[0] == "::ffff:127.0.0.1"
                assert peer[1] == client.getsockname()[1]


@needs_ipv6
def test_plain_ipv6_listener_stays_v6_only():
    with TcpListener.bind(("::1", 0)) as listener:
        assert listener.only_v6 is True


def test_dual_stack_with_an_ipv4_address_is_invalid():
    with pytest.raises(miowin.InvalidArgumentError):
        TcpListener.bind(("127.0.0.1", 0), dual_stack=True)
    with pytest.raises(miowin.InvalidArgumentError):
        UdpSocket.bind(("127.0.0.1", 0), dual_stack=True)


@needs_ipv6
def test_dual_stack_udp_socket_exchanges_with_an_ipv4_peer(selector):
    with UdpSocket.bind(("::", 0), dual_stack=True) as dual, UdpSocket.bind(
        ("127.0.0.1", 0)
    ) as v4:
        assert dual.only_v6 is False
        port = dual.local_address[1]
        dual.register(selector, 1, READABLE)
        v4.register(selector, 2, READABLE)
        v4.send_to(b"ping", ("127.0.0.1", port))
        wait_for(selector, 1)
        data, sender = dual.recv_from(100)
        assert (data, sender[0], sender[1]) == (b"ping", "::ffff:127.0.0.1", v4.local_address[1])
        # An IPv4 address is sent to as its IPv4-mapped form.
        dual.send_to(b"pong", v4.local_address)
        wait_for(selector, 2)
        assert v4.recv_from(100) == (b"pong", ("127.0.0.1", port))


def test_adopted_listener_accepts_and_closing_it_closes_the_socket(selector):
    host = socket.socket()
    host.bind(("127.0.0.1", 0))
    host.listen()
    fd = host.fileno()
    port = host.getsockname()[1]
    listener = TcpListener.adopt(host)
    assert host.fileno() == -1  # detached: the source owns it now
    assert listener.local_address == ("127.0.0.1", port)
    listener.register(selector, 1, READABLE)
    with socket.create_connection(("127.0.0.1", port), timeout=LIMIT):
        stream, _ = accept_one(selector, listener)
        stream.close()
    listener.close()
    if sys.platform != "win32":
        with pytest.raises(OSError):
            os.fstat(fd)


def test_adopt_checks_the_kind_and_leaves_a_refused_socket_open():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(ValueError, match="UdpSocket"):
            TcpStream.adopt(udp)
        assert udp.fileno() != -1
        adopted = UdpSocket.adopt(udp)
        adopted.close()
    with pytest.raises(TypeError):
        UdpSocket.adopt(0)


def test_adopted_stream_echoes(selector):
    with socket.create_server(("127.0.0.1", 0)) as server:
        b = socket.create_connection(server.getsockname(), timeout=LIMIT)
        a, _ = server.accept()
    with b:
        stream = TcpStream.adopt(a)
        with stream:
            stream.register(selector, 1, READABLE)
            b.sendall(b"hello")
            wait_for(selector, 1)
            assert stream.read(100) == b"hello"
            assert stream.write(b"back") == 4
            b.settimeout(LIMIT)
            assert b.recv(100) == b"back"


def test_release_hands_the_socket_back_open():
    listener = TcpListener.bind(("127.0.0.1", 0))
    address = listener.local_address
    fd = listener.release()
    assert listener.closed
    if sys.platform != "win32":
        assert os.get_blocking(fd) is False  # it stays non-blocking
    with socket.socket(fileno=fd) as s:
        assert s.getsockname() == address
    with pytest.raises(miowin.BadHandleError):
        listener.release()


def test_release_of_a_caller_owned_source_is_not_supported():
    a, b = socket.socketpair()
    with a, b, miowin.Source(a) as source:
        assert not hasattr(source, "release")


def test_pipe_instances_serve_two_clients_and_refuse_a_third(selector):
    name = pipe_name()
    first = NamedPipeServer.create(name, max_instances=2)
    second = NamedPipeServer.create(name, first_instance=False)
    try:
        with pytest.raises(miowin.PipeBusyError):
            NamedPipeServer.create(name, first_instance=False)
        first.register(selector, 1, WRITABLE)
        second.register(selector, 2, WRITABLE)
        first.connect()
        second.connect()
        with NamedPipeClient.open(name) as c1, NamedPipeClient.open(name) as c2:
            c1.register(selector, 3, READABLE)
            c2.register(selector, 4, READABLE)
            with pytest.raises(miowin.PipeBusyError):
                NamedPipeClient.open(name)
    finally:
        first.close()
        second.close()


def test_first_instance_flag_refuses_an_existing_name():
    name = pipe_name()
    with NamedPipeServer.create(name, max_instances=0):
        with pytest.raises(miowin.AddressInUseError):
            NamedPipeServer.create(name, max_instances=0)


def test_pipe_instance_count_is_checked():
    with pytest.raises(miowin.InvalidArgumentError):
        NamedPipeServer.create(pipe_name(), max_instances=miowin._native.MIOW_PIPE_INSTANCES_MAX + 1)
    with pytest.raises(ValueError):
        NamedPipeServer.create(pipe_name(), max_instances=-1)


def test_released_pipe_client_can_be_adopted_again(selector):
    name = pipe_name()
    with NamedPipeServer.create(name) as server:
        server.register(selector, 1, WRITABLE)
        server.connect()
        client = NamedPipeClient.open(name)
        client.register(selector, 2, READABLE)
        handle = client.release()
        assert client.closed
        again = NamedPipeClient.adopt(handle, name)
        with again:
            assert again.name == name
            again.register(selector, 2, READABLE)
            server.write(b"still there")
            wait_for(selector, 2)
            assert again.read(100) == b"still there"

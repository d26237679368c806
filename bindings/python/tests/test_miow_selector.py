"""MiowSelector beyond CPython's suite: events reported as the standard selectors report them
(hang-ups and errors included), closed descriptors, the closed selector, and one select()
returning more ready sockets than one library call does."""

import collections
import errno
import os
import selectors
import socket
import struct
import sys
import time

import pytest

import miowin
from miowin.selectors import EVENT_READ, EVENT_WRITE, MiowSelector

from conftest import LIMIT, race

BOTH = EVENT_READ | EVENT_WRITE
REFERENCE = getattr(selectors, "EpollSelector", None) or getattr(selectors, "PollSelector")


def events_of(selector, registrations, timeout=0.2):
    """{name: events} from one select() after registering each (name, fileobj, mask)."""
    keys = {}
    for name, fileobj, mask in registrations:
        keys[selector.register(fileobj, mask).fd] = name
    time.sleep(0.05)  # let the kernel settle the condition being tested
    ready = selector.select(timeout)
    for name, fileobj, _ in registrations:
        selector.unregister(fileobj)
    return {keys[key.fd]: events for key, events in ready}


def scenario_connected(socketpair):
    a, _ = socketpair()
    return a


def scenario_data_waiting(socketpair):
    a, b = socketpair()
    b.send(b"x")
    return a


def scenario_peer_closed(socketpair):
    a, b = socketpair()
    b.close()
    return a


def scenario_peer_shut_down_writing(socketpair):
    a, b = socketpair()
    b.shutdown(socket.SHUT_WR)
    return a


def scenario_shut_down_both_ways(socketpair):
    a, _ = socketpair()
    a.shutdown(socket.SHUT_RDWR)
    return a


def scenario_tcp_reset(socketpair):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        c = socket.create_connection(listener.getsockname())
        s, _ = listener.accept()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # linger 0: an RST
    c.setblocking(False)
    pending.append(c)
    return c


def scenario_refused_connect(socketpair):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except (BlockingIOError, ConnectionRefusedError):
        pass
    pending.append(c)
    return c


def scenario_listener_with_backlog(socketpair):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    socket.create_connection(listener.getsockname()).close()
    pending.append(listener)
    return listener


pending = []

SCENARIOS = [
    scenario_connected,
    scenario_data_waiting,
    scenario_peer_closed,
    scenario_peer_shut_down_writing,
    scenario_shut_down_both_ways,
    scenario_tcp_reset,
    scenario_refused_connect,
    scenario_listener_with_backlog,
]


@pytest.fixture(autouse=True)
def close_pending():
    yield
    while pending:
        pending.pop().close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__[9:])
@pytest.mark.parametrize("mask", [EVENT_READ, EVENT_WRITE, BOTH], ids=["r", "w", "rw"])
def test_events_match_the_standard_selector(scenario, mask, socketpair):
    # The same socket, in the same state, through MiowSelector and through the platform's
    # standard scalable selector: the same events. (Each select() reads the state only.)
    sock = scenario(socketpair)
    with REFERENCE() as reference, MiowSelector() as miow:
        expected = events_of(reference, [("s", sock, mask)])
        got = events_of(miow, [("s", sock, mask)])
    assert got == expected
    for events in got.values():
        assert events and not events & ~mask


def test_level_triggered_reports_repeat(socketpair):
    a, b = socketpair()
    with MiowSelector() as s:
        key = s.register(a, EVENT_READ)
        b.send(b"x")
        for _ in range(3):
            assert s.select(1) == [(key, EVENT_READ)]
        a.recv(1)
        assert s.select(0) == []


def test_more_ready_sockets_than_one_library_call_returns(socketpair):
    count = 700  # well above the 256 events one call into the library can return
    with MiowSelector() as s:
        keys = set()
        for _ in range(count):
            _, b = socketpair()
            keys.add(s.register(b, EVENT_WRITE))
        ready = s.select(1)
        assert len(ready) == count
        assert {key for key, _ in ready} == keys
        assert all(events == EVENT_WRITE for _, events in ready)


def test_unregister_works_after_the_descriptor_was_closed(socketpair):
    a, b = socketpair()
    with MiowSelector() as s:
        s.register(a.fileno(), EVENT_READ)
        s.register(b, EVENT_WRITE)
        fd = a.fileno()
        a.close()
        b.close()
        assert s.unregister(fd).fd == fd
        assert s.unregister(b).fileobj is b
        assert len(s.get_map()) == 0
        assert s.select(0) == []


def test_a_closed_descriptor_reports_nothing(socketpair):
    a, b = socketpair()
    with MiowSelector() as s:
        s.register(a.fileno(), EVENT_READ | EVENT_WRITE)
        key_b = s.register(b, EVENT_WRITE)
        a.close()
        assert s.select(0) == [(key_b, EVENT_WRITE)]


def test_modify_changes_events_and_data(socketpair):
    a, b = socketpair()
    with MiowSelector() as s:
        key = s.register(a, EVENT_READ, "one")
        assert s.select(0) == []
        key2 = s.modify(a, EVENT_WRITE, "two")
        assert (key2.events, key2.data) == (EVENT_WRITE, "two")
        assert s.select(1) == [(key2, EVENT_WRITE)]
        key3 = s.modify(a, EVENT_WRITE, "three")  # data only
        assert s.get_key(a) is key3 and key3.data == "three"
        with pytest.raises(ValueError):
            s.modify(a, 0)
        with pytest.raises(ValueError):
            s.modify(a, 4)
        assert s.get_key(a) is key3
        assert key.data == "one"


def test_modify_after_the_descriptor_was_closed_unregisters(socketpair):
    a, _ = socketpair()
    with MiowSelector() as s:
        fd = a.fileno()
        s.register(fd, EVENT_READ)
        a.close()
        with pytest.raises(KeyError):
            s.modify(fd, EVENT_WRITE)
        assert len(s.get_map()) == 0


def test_closed_selector_behaves_as_the_standard_ones(socketpair):
    a, _ = socketpair()
    s = MiowSelector()
    mapping = s.get_map()
    s.register(a, EVENT_READ)
    s.close()
    s.close()  # twice is harmless
    assert s.get_map() is None
    with pytest.raises(RuntimeError):
        s.get_key(a)
    with pytest.raises(KeyError):
        mapping[a]
    assert len(mapping) == 0
    # EpollSelector raises ValueError here (its epoll object is closed); so does MiowSelector.
    with pytest.raises(ValueError):
        s.select(0)
    with pytest.raises(ValueError):
        s.register(a, EVENT_READ)
    assert "closed" in repr(s)


def test_get_map_is_a_read_only_live_view(socketpair):
    a, b = socketpair()
    with MiowSelector() as s:
        view = s.get_map()
        assert len(view) == 0 and not view
        key = s.register(a, EVENT_READ)
        assert a in view and a.fileno() in view and b not in view
        assert view[a] is key and list(view) == [a.fileno()]
        assert list(view.items()) == [(a.fileno(), key)]
        with pytest.raises(TypeError):
            view[b] = key
        with pytest.raises(KeyError):
            view["not a file"]


def test_register_validates_events_before_the_file_object():
    with MiowSelector() as s:
        for bad in (0, 4, 999999, -1, 1.0, None):
            with pytest.raises(ValueError):
                s.register(0, bad)
        with pytest.raises(ValueError):
            s.register(-10, EVENT_READ)
        with pytest.raises(ValueError):
            s.register(object(), EVENT_READ)


def test_select_timeout_is_rounded_up(socketpair):
    a, _ = socketpair()
    with MiowSelector() as s:
        s.register(a, EVENT_READ)
        for timeout in (0.0001, 0.0015, 0.03):
            t0 = time.monotonic()
            assert s.select(timeout) == []
            assert time.monotonic() - t0 >= timeout


def test_events_from_other_threads_and_unknown_tokens_are_ignored(socketpair):
    # A token the selector does not know (as when another thread unregistered the socket
    # after the library took its event) is dropped, not reported or raised.
    a, _ = socketpair()
    with MiowSelector() as s:
        key = s.register(a, EVENT_WRITE)
        s._selector.post(123456, miowin.READABLE)
        assert s.select(1) == [(key, EVENT_WRITE)]


def test_selects_from_two_threads_never_share_events(socketpair):
    # Each select(0) must report the events of its own poll, never those the other thread's
    # took: every posted event is reported exactly once. The posts cycle through 20 sockets,
    # so that two polls' batches differ in which sockets they hold; frequent thread switches
    # make a switch between a poll and the reading of its events likely.
    socks = [socketpair()[0] for _ in range(20)]
    rounds = 20000
    with MiowSelector() as s:
        for sock in socks:
            s.register(sock, EVENT_READ)
        for _ in range(rounds):
            for sock in socks:
                s._selector.post(sock.fileno(), miowin.READABLE)
        counts = [collections.Counter(), collections.Counter()]

        def collect(mine):
            deadline = time.monotonic() + LIMIT * 2
            total = rounds * len(socks)
            while sum(sum(c.values()) for c in counts) < total and time.monotonic() < deadline:
                mine.update(key.fd for key, _ in s.select(0))

        race(collect, counts)
    assert counts[0] + counts[1] == {sock.fileno(): rounds for sock in socks}


def test_default_selector_contract_names():
    assert issubclass(MiowSelector, selectors.BaseSelector)
    assert miowin.selectors.EVENT_READ == selectors.EVENT_READ == 1
    assert miowin.selectors.EVENT_WRITE == selectors.EVENT_WRITE == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors")
def test_registering_a_non_socket_leaves_no_key():
    r, w = os.pipe()
    try:
        with MiowSelector() as s:
            if miowin.selectors.ANY_DESCRIPTOR:
                # A pipe is watched; a directory never is (epoll's EPERM).
                fd = os.open(os.path.dirname(os.path.abspath(__file__)), os.O_RDONLY)
                try:
                    with pytest.raises(PermissionError) as ei:
                        s.register(fd, EVENT_READ)
                    assert ei.value.errno == errno.EPERM
                    assert fd not in s.get_map()
                finally:
                    os.close(fd)
                s.register(w, EVENT_WRITE)
                assert w in s.get_map()
                return
            with pytest.raises(miowin.NotSocketError) as ei:
                s.register(w, EVENT_WRITE)
            assert ei.value.errno == errno.ENOTSOCK
            assert w not in s.get_map()
    finally:
        os.close(r)
        os.close(w)

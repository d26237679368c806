"""asyncio on miowin: a TCP echo server on a miowin event loop serving 2,000 concurrent
connections, every byte checked; and the documented ways of starting such a loop."""

import asyncio
import random
import resource
import sys
import threading
import time

import pytest

import miowin.asyncio
from miowin.selectors import MiowSelector

CONNECTIONS = 2000
ROUNDS = 3
MAX_MESSAGE = 16 * 1024
TIME_LIMIT = 180  # seconds, for the whole exchange; pytest's own timeout is above it


@pytest.fixture
def enough_descriptors():
    """Raises the soft RLIMIT_NOFILE for both ends of every connection, restored afterwards."""
    needed = 2 * CONNECTIONS + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.fail(f"RLIMIT_NOFILE hard limit {hard} is below the {needed} this test needs")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def message(rng):
    size = rng.randint(1, MAX_MESSAGE)
    return rng.getrandbits(8 * size).to_bytes(size, "little")  # randbytes() is 3.9+


class Server:
    """Echoes every byte back until the client's EOF, counting open connections."""

    def __init__(self):
        self.open = 0
        self.peak = 0
        self.served = 0
        self.echoed = 0

    async def handle(self, reader, writer):
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
                self.echoed += len(data)
            self.served += 1
        finally:
            self.open -= 1
            writer.close()
            await writer.wait_closed()


async def run_clients(port):
    """CONNECTIONS clients, all connected at once; each exchanges ROUNDS messages. After the
    first round every client waits for all the others, so the server must hold all
    CONNECTIONS connections open at the same time."""
    connected = 0
    first_round_done = 0
    all_connected = asyncio.Event()
    all_first_round = asyncio.Event()

    async def client(i):
        nonlocal connected, first_round_done
        rng = random.Random(i)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            connected += 1
            if connected == CONNECTIONS:
                all_connected.set()
            await all_connected.wait()
            checked = 0
            for r in range(ROUNDS):
                payload = message(rng)
                writer.write(payload)
                await writer.drain()
                echoed = await reader.readexactly(len(payload))
                if echoed != payload:
                    raise AssertionError(f"client {i} round {r}: echo differs")
                checked += len(payload)
                if r == 0:
                    first_round_done += 1
                    if first_round_done == CONNECTIONS:
                        all_first_round.set()
                    await all_first_round.wait()
            writer.write_eof()
            if await reader.read() != b"":
                raise AssertionError(f"client {i}: data after the echo")
            return checked
        finally:
            writer.close()
            await writer.wait_closed()

    results = await asyncio.gather(*(client(i) for i in range(CONNECTIONS)))
    return sum(results)


def expected_bytes():
    total = 0
    for i in range(CONNECTIONS):
        rng = random.Random(i)
        total += sum(len(message(rng)) for _ in range(ROUNDS))
    return total


@pytest.mark.timeout(TIME_LIMIT + 60)
def test_echo_server_with_2000_concurrent_connections(enough_descriptors):
    # The server runs on a miowin loop in this thread; the clients on a second miowin loop in
    # another thread, so two selectors poll at once (ctypes releases the GIL while they wait).
    server_loop = miowin.asyncio.new_event_loop()
    assert isinstance(server_loop._selector, MiowSelector)
    server = Server()
    outcome = {}

    async def serve():
        srv = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=CONNECTIONS)
        port = srv.sockets[0].getsockname()[1]
        done = server_loop.create_future()

        def clients_thread():
            client_loop = miowin.asyncio.new_event_loop()
            try:
                result = client_loop.run_until_complete(
                    asyncio.wait_for(run_clients(port), TIME_LIMIT)
                )
                outcome["bytes"] = result
            except BaseException as e:  # reported by the main thread
                outcome["error"] = e
            finally:
                client_loop.close()
                server_loop.call_soon_threadsafe(done.set_result, None)

        t = threading.Thread(target=clients_thread, name="echo-clients")
        t.start()
        try:
            await asyncio.wait_for(done, TIME_LIMIT + 10)
        finally:
            t.join(30)
            srv.close()
            await srv.wait_closed()
        # Handlers finish after the last client's EOF; give them a moment to wind down.
        deadline = time.monotonic() + 10
        while server.open and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    t0 = time.monotonic()
    try:
        server_loop.run_until_complete(serve())
    finally:
        server_loop.close()
    elapsed = time.monotonic() - t0

    if "error" in outcome:
        raise outcome["error"]
    total = expected_bytes()
    assert outcome["bytes"] == total
    assert server.echoed == total
    assert server.served == CONNECTIONS
    assert server.peak == CONNECTIONS
    assert server.open == 0
    assert elapsed < TIME_LIMIT
    print(f"{CONNECTIONS} connections, {total} bytes each way, {elapsed:.1f} s")


async def _hello():
    loop = asyncio.get_running_loop()
    assert isinstance(loop._selector, MiowSelector)
    reader, writer = await asyncio.open_connection(*_hello.address)
    writer.write(b"hello")
    await writer.drain()
    data = await reader.readexactly(5)
    writer.close()
    await writer.wait_closed()
    return data


@pytest.fixture
def echo_once():
    import socket

    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(conn.recv(5))

    t = threading.Thread(target=serve)
    t.start()
    _hello.address = listener.getsockname()
    yield
    t.join(10)
    listener.close()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.Runner is new in 3.11")
def test_runner_with_loop_factory(echo_once):
    with asyncio.Runner(loop_factory=miowin.asyncio.new_event_loop) as runner:
        assert runner.run(_hello()) == b"hello"


def test_asyncio_run_with_loop_factory(echo_once):
    if sys.version_info >= (3, 12):
        assert asyncio.run(_hello(), loop_factory=miowin.asyncio.new_event_loop) == b"hello"
    else:
        # 3.11 has no loop_factory in asyncio.run(): the docs point to asyncio.Runner there.
        coro = _hello()
        with pytest.raises(TypeError):
            asyncio.run(coro, loop_factory=miowin.asyncio.new_event_loop)
        coro.close()
        assert miowin.asyncio.run(_hello()) == b"hello"  # the fixture's one connection


def test_miowin_asyncio_run(echo_once):
    assert miowin.asyncio.run(_hello()) == b"hello"


def test_call_soon_threadsafe_wakes_the_loop():
    loop = miowin.asyncio.new_event_loop()
    try:
        fut = loop.create_future()
        threading.Timer(0.1, loop.call_soon_threadsafe, (fut.set_result, 42)).start()
        t0 = time.monotonic()
        assert loop.run_until_complete(asyncio.wait_for(fut, 5)) == 42
        assert time.monotonic() - t0 < 2
    finally:
        loop.close()


@pytest.mark.skipif(sys.platform == "win32", reason="add_signal_handler is Unix-only")
def test_signal_handlers_wake_the_loop():
    import os
    import signal

    loop = miowin.asyncio.new_event_loop()
    try:
        got = loop.create_future()
        loop.add_signal_handler(signal.SIGUSR1, got.set_result, "signalled")
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        assert loop.run_until_complete(asyncio.wait_for(got, 5)) == "signalled"
        loop.remove_signal_handler(signal.SIGUSR1)
    finally:
        loop.close()

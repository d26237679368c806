"""Type-checked, never run: the public API as a program uses it. test.sh runs
``mypy --strict`` on this file against the installed wheel, which proves the wheel ships
``py.typed`` and its hints. Each ``type: ignore[...]`` marks a misuse that the hints must
catch: under --strict an ignore that catches nothing is itself an error."""

import asyncio
import selectors
import socket
from typing import List, Optional, Tuple, Union

import miowin
import miowin.asyncio
from miowin.selectors import MiowSelector


def objects() -> None:
    with miowin.Selector(capacity=64) as sel:
        events: List[Tuple[int, int]] = sel.poll(0.1)
        sel.post(7, miowin.READABLE)
        a, b = socket.socketpair()
        source = miowin.Source(a)
        source.register(sel, 1, miowin.READABLE | miowin.EDGE)
        waker = miowin.Waker(sel, 2)
        waker.wake()
        sel.poll("soon")  # type: ignore[arg-type]
        source.register(sel, "token", 1)  # type: ignore[arg-type]
        print(events, waker.token + 1, source.fileno() + 1)


def net() -> None:
    with miowin.TcpListener.bind(("127.0.0.1", 0)) as listener:
        address: Union[Tuple[str, int], Tuple[str, int, int, int]] = listener.local_address
        stream = miowin.TcpStream.connect(address)
        error: Optional[miowin.Error] = stream.take_error()
        accepted, peer = listener.accept()
        n: int = stream.write(b"x")
        data: bytes = accepted.read(10)
        udp = miowin.UdpSocket.bind("[::1]:0")
        got, sender = udp.recv_from(100)
        udp.send_to(got, sender)
        text: str = stream.read(1)  # type: ignore[assignment]
        print(error, peer, n, data, text)


def selector_and_loop() -> None:
    with MiowSelector() as sel:
        key: selectors.SelectorKey = sel.register(socket.socket(), selectors.EVENT_READ)
        ready: List[Tuple[selectors.SelectorKey, int]] = sel.select(0)
        print(key, ready)
    loop: asyncio.AbstractEventLoop = miowin.asyncio.new_event_loop()
    policy: asyncio.AbstractEventLoopPolicy = miowin.asyncio.install()

    async def main() -> int:
        return 1

    result: int = miowin.asyncio.run(main())
    wrong: str = miowin.asyncio.run(main())  # type: ignore[assignment]
    print(loop, policy, result, wrong, miowin.version()[0] + 1)

"""TcpListener, TcpStream and UdpSocket: sockets the library creates and owns, as mio's.

Each is a :class:`miowin.Source`, so it registers, reregisters, deregisters and re-arms with a
:class:`miowin.Selector` exactly as a wrapped socket does, and closing it (``close()``, a
``with`` block, or collection) frees the source, which closes the socket. They are made by
``TcpListener.bind()``, ``TcpStream.connect()``, ``TcpListener.accept()`` and
``UdpSocket.bind()``; the constructors are not for calling.

Every socket is non-blocking, and the would-block convention is that of Python's non-blocking
sockets: a call that cannot go on without waiting raises :class:`miowin.WouldBlockError`, a
:class:`BlockingIOError`, and the caller waits for the source's next event. The library has
re-armed an edge registration by then (as mio's ``do_io`` does), so edge mode never goes deaf;
a oneshot registration is left for the caller to re-arm. A read that returns ``b""`` (or 0) on
a TCP stream is the peer's end of stream; on UDP it is an empty datagram.

Addresses are what the :mod:`socket` module uses, numeric only: ``(host, port)`` for IPv4,
``(host, port, flowinfo, scope_id)`` for IPv6 (``("fe80::1", 80, 0, 3)``), in and out; a port 0
asks the OS for a free one. The library's text form (``"127.0.0.1:8080"``, ``"[::1]:8080"``,
``"[fe80::1%3]:80"``) is accepted as input too. An IPv6 host may be given as a 2-tuple, as
``socket`` allows; a non-zero flowinfo is refused (the library cannot set it), and the flowinfo
returned is always 0.

Errors are the :class:`miowin.Error` classes of :mod:`miowin._errors`: a call that does not
apply to the kind of socket (``accept()`` on a stream, ``send_to()`` on TCP, an option of
another kind) raises :class:`miowin.NotSupportedError`.

``_LibrarySource`` (creation, ``take_error()``) and ``_Io`` (the stream calls) are shared with
the named pipes of :mod:`miowin._pipe`.
"""

from __future__ import annotations

import ctypes
import socket
from typing import Any, Callable, Iterable, List, Optional, Tuple, Type, TypeVar, Union

from . import _errors
from . import _native
from ._objects import Source

_lib = _native.lib

#: An address as the library returns it: ``(host, port)`` for IPv4, ``(host, port, flowinfo,
#: scope_id)`` for IPv6, as the :mod:`socket` module writes them.
Address = Union[Tuple[str, int], Tuple[str, int, int, int]]
#: What an address argument takes: a tuple as above, or the library's text form.
AddressLike = Union[Address, str]
#: A bytes-like object (bytes, bytearray, memoryview, array, ...).
Buffer = Union[bytes, bytearray, memoryview, Any]

_S = TypeVar("_S", bound="_LibrarySource")

#: ``shutdown()``: stop reading. (Not socket.SHUT_RD: the library's values differ.)
SHUT_READ = _native.MIOW_SHUT_READ
#: ``shutdown()``: stop writing; the peer reads end of stream.
SHUT_WRITE = _native.MIOW_SHUT_WRITE
#: ``shutdown()``: both directions.
SHUT_BOTH = _native.MIOW_SHUT_BOTH


def _address_text(address: AddressLike) -> bytes:
    """The library's address text, as bytes, for a str or a socket-module address tuple."""
    if isinstance(address, str):
        text = address
    elif isinstance(address, tuple) and len(address) in (2, 4):
        host, port = address[0], int(address[1])
        if not isinstance(host, str):
            raise TypeError(f"the host must be a str, not {type(host).__name__}")
        if ":" in host:
            scope = 0
            if len(address) == 4:
                extra: Tuple[Any, ...] = address
                if int(extra[2]):
                    raise ValueError("a non-zero IPv6 flowinfo is not supported")
                scope = int(extra[3])
            suffix = f"%{scope}" if scope and "%" not in host else ""
            text = f"[{host}{suffix}]:{port}"
        elif len(address) == 4:
            raise TypeError(f"a 4-tuple address is IPv6, but {host!r} is not an IPv6 host")
        else:
            text = f"{host}:{port}"
    else:
        raise TypeError(f"an address is a (host, port) tuple or a str, not {address!r}")
    if "\0" in text:
        raise ValueError("an address cannot contain NUL")
    return text.encode("utf-8")


def _ip_text(ip: str) -> bytes:
    if not isinstance(ip, str):
        raise TypeError(f"an IP address is a str, not {type(ip).__name__}")
    if "\0" in ip:
        raise ValueError("an IP address cannot contain NUL")
    return ip.encode("utf-8")


def _address_buffer() -> ctypes.Array[ctypes.c_char]:
    return ctypes.create_string_buffer(_native.MIOW_ADDRESS_SIZE)


def _address_tuple(buffer: ctypes.Array[ctypes.c_char]) -> Address:
    """The socket-module tuple for the library's address text in ``buffer``:
    ``"1.2.3.4:80"`` -> ``("1.2.3.4", 80)``, ``"[fe80::1%3]:80"`` -> ``("fe80::1", 80, 0, 3)``."""
    text = buffer.value.decode("ascii")
    host, _, port = text.rpartition(":")
    if host.startswith("["):
        host, _, scope = host[1:-1].partition("%")
        return (host, int(port), 0, int(scope) if scope else 0)
    return (host, int(port))


def _size_buffer(size: int) -> Tuple[Optional[ctypes.Array[ctypes.c_char]], int]:
    """A ``(buffer, size)`` pair for a read of up to ``size`` bytes (no buffer for 0)."""
    size = int(size)
    if size < 0:
        raise ValueError("size must not be negative")
    return (ctypes.create_string_buffer(size) if size else None), size


def _received(buffer: Optional[ctypes.Array[ctypes.c_char]], n: int) -> bytes:
    """The first ``n`` bytes of a :func:`_size_buffer` buffer."""
    return buffer.raw[:n] if n and buffer is not None else b""


def _option(option: int, doc: str, kind: Callable[[int], Any] = int) -> Any:
    """A property for the socket option ``option``, read and written as ``kind``."""

    def get(self: _LibrarySocket) -> Any:
        return kind(self._get_option(option))

    def set(self: _LibrarySocket, value: Any) -> None:
        self._set_option(option, kind(value))

    return property(get, set, doc=doc)


def _readable(data: Buffer) -> Tuple[Any, int]:
    """``(pointer argument, length)`` for a bytes-like object the library reads from."""
    if isinstance(data, bytes):
        return (data if data else None), len(data)
    view = memoryview(data)
    if view.readonly:
        data = view.tobytes()
        return (data if data else None), len(data)
    return _writable(view)


def _writable(buffer: Buffer) -> Tuple[Any, int]:
    """``(pointer argument, length)`` for a writable bytes-like object the library fills."""
    view = memoryview(buffer)
    if view.readonly:
        raise TypeError(f"a writable bytes-like object is required, not {type(buffer).__name__}")
    if view.ndim != 1 or view.itemsize != 1:
        view = view.cast("B")
    if not view.nbytes:
        return None, 0
    return (ctypes.c_char * view.nbytes).from_buffer(view), view.nbytes


def _buffers(buffers: Iterable[Buffer], writable: bool) -> Tuple[Any, int, List[Any]]:
    """A ``miow_buffer`` array for a sequence of bytes-like objects, and what keeps their
    memory reachable until the call returns."""
    buffers = list(buffers)
    array = (_native.Buffer * len(buffers))()
    keep = []
    for i, buffer in enumerate(buffers):
        pointer, length = _writable(buffer) if writable else _readable(buffer)
        keep.append(pointer)
        if pointer is not None:
            array[i].data = ctypes.cast(pointer, ctypes.c_void_p)
        array[i].length = length
    return array, len(buffers), keep


def _require(function: str) -> None:
    if not _native.has_export(function):
        raise NotImplementedError(
            f"{_native.library_path} has no {function} (miowin 1.2 and later)"
        )


def _flags(dual_stack: bool) -> int:
    return _native.MIOW_NET_DUAL_STACK if dual_stack else 0


class _LibrarySource(Source):
    """A source whose OS object (a socket or a named pipe) the library creates and owns: made
    by the class's factory methods, never by calling the class, and closed with the source.
    What every such kind shares: adoption of a new handle, the result check, the pending
    error."""

    #: What the constructor's TypeError tells the caller to use instead.
    _factories = "factory methods"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"{type(self).__name__} is made by its {self._factories}, not called")

    @classmethod
    def _adopt(cls: Type[_S], handle: Optional[int]) -> _S:
        """Wraps a handle the library just returned."""
        self = cls.__new__(cls)
        self._handle = handle
        return self

    @classmethod
    def _create(cls: Type[_S], function: str, *args: Any) -> _S:
        handle = ctypes.c_void_p()
        rc = getattr(_lib, function)(ctypes.byref(handle), *args)
        if rc:
            raise _errors.make_error(rc, function)
        return cls._adopt(handle.value)

    def _check(self, rc: int, function: str) -> None:
        if rc:
            raise _errors.make_error(rc, function)

    def release(self) -> int:
        """Frees the source but hands its socket or pipe back open instead of closing it
        (``miow_source_release``, miowin 1.2; mio's ``into_raw_socket``): returns the
        descriptor, ``SOCKET`` or pipe ``HANDLE``, which the caller then owns and closes (a
        socket can be wrapped with ``socket.socket(fileno=...)``). It stays non-blocking. On
        failure the source is unchanged: :class:`BusyError` for a Windows pipe with bytes
        buffered or a write in flight (read them, or wait for WRITABLE, then call again)."""
        _require("miow_source_release")
        value = _native.c_socket()
        self._check(_lib.miow_source_release(self._handle, ctypes.byref(value)),
                    "miow_source_release")
        self._handle = None
        Source.close(self)  # drops the references; the handle is dead already
        return int(value.value or 0)

    def take_error(self) -> Optional[_errors.Error]:
        """Reads and clears the pending error (a socket's ``SO_ERROR``, a pipe's failed
        connect): None if there was none, else the exception for it, returned, not raised (a
        :class:`RefusedError` after a refused connect, for instance)."""
        error = ctypes.c_int32()
        os_error = ctypes.c_int32()
        self._check(
            _lib.miow_source_take_error(self._handle, ctypes.byref(error), ctypes.byref(os_error)),
            "miow_source_take_error",
        )
        if not error.value:
            return None
        return _errors.make_error(error.value, "miow_source_take_error", os_error.value)


def _kind_of(sock: socket.socket) -> Optional[str]:
    """The class a socket becomes on adoption, or None for a kind the library refuses (it
    then says so itself, with NotSupportedError)."""
    if sock.type == socket.SOCK_DGRAM:
        return "UdpSocket"
    if sock.type != socket.SOCK_STREAM or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    listening = sock.getsockopt(socket.SOL_SOCKET, getattr(socket, "SO_ACCEPTCONN", 0x2))
    return "TcpListener" if listening else "TcpStream"


class _LibrarySocket(_LibrarySource):
    """What the three socket kinds share: the socket's descriptor, addresses, the TTL option,
    and the option plumbing."""

    _factories = "bind(), connect() or accept()"

    @classmethod
    def _adopt(cls: Type[_S], handle: Optional[int]) -> _S:
        """Wraps a handle the library just returned, with its socket; frees it if that fails."""
        self = super()._adopt(handle)
        fd = _native.c_socket()
        rc = _lib.miow_source_socket(handle, ctypes.byref(fd))
        if rc:
            error = _errors.make_error(rc, "miow_source_socket")
            self.close()
            raise error
        self._fd = fd.value
        return self

    @classmethod
    def adopt(cls: Type[_S], sock: socket.socket) -> _S:
        """Takes a TCP or UDP ``socket.socket`` over (``miow_source_adopt_socket``, miowin
        1.2; mio's ``from_std``): it becomes a source the library owns, with every call of its
        kind working, and is made non-blocking. On success ``sock`` is detached (its
        ``fileno()`` is -1) and closing the source closes the socket; on failure ``sock`` is
        untouched and still the caller's. The class must match the socket: a listening TCP
        socket is a :class:`TcpListener`, another TCP socket a :class:`TcpStream`, a UDP socket
        a :class:`UdpSocket` (``ValueError`` otherwise)."""
        _require("miow_source_adopt_socket")
        if not isinstance(sock, socket.socket):
            raise TypeError(f"adopt() takes a socket.socket, not {type(sock).__name__}")
        kind = _kind_of(sock)
        if kind is not None and kind != cls.__name__:
            raise ValueError(f"{cls.__name__}.adopt() was given a {kind} socket")
        self = cls._create("miow_source_adopt_socket", sock.fileno())
        sock.detach()
        return self

    def _get_option(self, option: int) -> int:
        value = ctypes.c_int32()
        self._check(
            _lib.miow_source_get_option(self._handle, option, ctypes.byref(value)),
            "miow_source_get_option",
        )
        return value.value

    def _set_option(self, option: int, value: int) -> None:
        value = int(value)
        if not -(2**31) <= value < 2**31:
            raise ValueError(f"option value out of range: {value}")
        rc = _lib.miow_source_set_option(self._handle, option, value)
        self._check(rc, "miow_source_set_option")

    def _address(self, function: str) -> Address:
        buffer = _address_buffer()
        self._check(getattr(_lib, function)(self._handle, buffer, len(buffer)), function)
        return _address_tuple(buffer)

    @property
    def local_address(self) -> Address:
        """The local address, such as ``("127.0.0.1", 54321)`` or ``("::1", 54321, 0, 0)``."""
        return self._address("miow_source_local_address")

    ttl = _option(
        _native.MIOW_OPT_TTL, "The unicast time-to-live / hop limit, 1-255 (``MIOW_OPT_TTL``)."
    )

    @property
    def only_v6(self) -> bool:
        """``IPV6_V6ONLY`` of an IPv6 socket: true as the library creates IPv6 sockets, false
        for a ``dual_stack`` one (an IPv4 socket raises :class:`NotSupportedError`)."""
        return bool(self._get_option(_native.MIOW_OPT_ONLY_V6))

    def __repr__(self) -> str:
        state = self._state()
        if self._handle is not None:
            try:
                state = f"{self.local_address} {state}"
            except _errors.Error:
                pass
        return f"<miowin.{type(self).__name__} fd={getattr(self, '_fd', None)} {state}>"


class _Io:
    """Reads and writes on a TCP stream, a connected UDP socket or a named pipe
    (``miow_source_read`` and the rest of miow/io.h), shared by all three. Each raises
    :class:`WouldBlockError` when it would wait."""

    _handle: Optional[int]

    def read(self, size: int) -> bytes:
        """Reads up to ``size`` bytes that are available. ``b""`` is the peer's end of stream
        (TCP, pipe) or an empty datagram (UDP)."""
        buffer, size = _size_buffer(size)
        return _received(buffer, self._transfer("miow_source_read", buffer, size))

    def readinto(self, buffer: Buffer) -> int:
        """Reads into a writable bytes-like object; returns how many bytes were stored."""
        pointer, length = _writable(buffer)
        return self._transfer("miow_source_read", pointer, length)

    def peek(self, size: int) -> bytes:
        """Like :meth:`read`, but the bytes stay queued for the next read."""
        buffer, size = _size_buffer(size)
        return _received(buffer, self._transfer("miow_source_peek", buffer, size))

    def write(self, data: Buffer) -> int:
        """Writes what fits of a bytes-like object; returns how many bytes were accepted (a
        TCP or pipe write may be partial)."""
        pointer, length = _readable(data)
        return self._transfer("miow_source_write", pointer, length)

    def readv(self, buffers: Iterable[Buffer]) -> int:
        """Reads into a sequence of writable bytes-like objects, filled in order (as
        :func:`os.readv`); returns the total number of bytes stored."""
        return self._transfer_vector("miow_source_readv", buffers, writable=True)

    def writev(self, buffers: Iterable[Buffer]) -> int:
        """Writes a sequence of bytes-like objects in order (as :func:`os.writev`); returns
        how many bytes were accepted in all."""
        return self._transfer_vector("miow_source_writev", buffers, writable=False)

    def _transfer(self, function: str, pointer: Any, length: int) -> int:
        done = ctypes.c_size_t()
        rc = getattr(_lib, function)(self._handle, pointer, length, ctypes.byref(done))
        if rc:
            raise _errors.make_error(rc, function)
        return done.value

    def _transfer_vector(self, function: str, buffers: Iterable[Buffer], writable: bool) -> int:
        # `keep` holds what the array points into until the call has returned.
        array, count, keep = _buffers(buffers, writable)
        done = ctypes.c_size_t()
        rc = getattr(_lib, function)(self._handle, array, count, ctypes.byref(done))
        if rc:
            raise _errors.make_error(rc, function)
        return done.value


class TcpListener(_LibrarySocket):
    """A listening TCP socket (``miow_tcp_listen``). Register it for READABLE; then
    :meth:`accept` until it raises :class:`WouldBlockError` (in edge mode it is reported again
    only after that)."""

    @classmethod
    def bind(
        cls, address: AddressLike, backlog: int = 0, *, dual_stack: bool = False
    ) -> TcpListener:
        """Listens on ``address`` (``"127.0.0.1:0"``, ``"[::1]:0"``, or a tuple). ``backlog``
        0 or less is the OS maximum. A second listener on the same address fails with
        :class:`AddressInUseError`. ``dual_stack`` (miowin 1.2, ``MIOW_NET_DUAL_STACK``) makes
        an IPv6 listener that IPv4 clients reach too (bind ``("::", port)``); their addresses
        read ``("::ffff:a.b.c.d", port, 0, 0)``. With an IPv4 address it is
        :class:`InvalidArgumentError`."""
        backlog = int(backlog)
        backlog = max(-(2**31), min(backlog, 2**31 - 1))
        if dual_stack:
            _require("miow_tcp_listen_ex")
            return cls._create("miow_tcp_listen_ex", _address_text(address), backlog,
                               _flags(dual_stack))
        return cls._create("miow_tcp_listen", _address_text(address), backlog)

    def accept(self) -> Tuple[TcpStream, Address]:
        """Accepts one pending connection: ``(TcpStream, peer address)``. The stream is not
        registered. Raises :class:`WouldBlockError` when none is waiting."""
        handle = ctypes.c_void_p()
        peer = _address_buffer()
        rc = _lib.miow_tcp_accept(self._handle, ctypes.byref(handle), peer, len(peer))
        if rc:
            raise _errors.make_error(rc, "miow_tcp_accept")
        return TcpStream._adopt(handle.value), _address_tuple(peer)


class TcpStream(_LibrarySocket, _Io):
    """A TCP connection: from :meth:`connect` or :meth:`TcpListener.accept`."""

    @classmethod
    def connect(cls, address: AddressLike) -> TcpStream:
        """Starts a connection to ``address`` and returns at once, with the connect in
        progress. Register for WRITABLE: when that is reported the connect has ended, and
        :meth:`take_error` returns why it failed (None if it did not); :attr:`peer_address`
        raises :class:`NotConnectedError` unless it is connected."""
        return cls._create("miow_tcp_connect", _address_text(address))

    @property
    def peer_address(self) -> Address:
        """The connected peer's address (a tuple, as :attr:`local_address`)."""
        return self._address("miow_source_peer_address")

    def shutdown(self, how: int) -> None:
        """Shuts down :data:`SHUT_READ`, :data:`SHUT_WRITE` or :data:`SHUT_BOTH` (the library's
        values 1, 2, 3; Python's ``socket.SHUT_*`` are different numbers)."""
        self._check(_lib.miow_source_shutdown(self._handle, int(how)), "miow_source_shutdown")

    nodelay = _option(_native.MIOW_OPT_NODELAY, "``TCP_NODELAY`` (``MIOW_OPT_NODELAY``).", bool)


class UdpSocket(_LibrarySocket, _Io):
    """A UDP socket (``miow_udp_bind``). :meth:`recv_from` and :meth:`send_to` work at any
    time; after :meth:`connect`, so do :meth:`read`, :meth:`write` and the rest of the stream
    calls, with the default peer."""

    @classmethod
    def bind(cls, address: AddressLike, *, dual_stack: bool = False) -> UdpSocket:
        """A UDP socket bound to ``address``, for instance ``"127.0.0.1:0"``. ``dual_stack``
        (miowin 1.2) as for :meth:`TcpListener.bind`: an IPv6 socket that also receives from
        and sends to IPv4 peers (``"127.0.0.1:9"`` is sent to as ``::ffff:127.0.0.1``)."""
        if dual_stack:
            _require("miow_udp_bind_ex")
            return cls._create("miow_udp_bind_ex", _address_text(address), _flags(dual_stack))
        return cls._create("miow_udp_bind", _address_text(address))

    def connect(self, address: AddressLike) -> None:
        """Sets (or replaces) the default peer; datagrams from other addresses are dropped."""
        self._check(_lib.miow_udp_connect(self._handle, _address_text(address)), "miow_udp_connect")

    @property
    def peer_address(self) -> Address:
        """The default peer's address (:class:`NotConnectedError` without one)."""
        return self._address("miow_source_peer_address")

    def _receive(self, function: str, pointer: Any, length: int) -> Tuple[int, Address]:
        received = ctypes.c_size_t()
        sender = _address_buffer()
        rc = getattr(_lib, function)(
            self._handle, pointer, length, ctypes.byref(received), sender, len(sender)
        )
        if rc:
            raise _errors.make_error(rc, function)
        return received.value, _address_tuple(sender)

    def recv_from(self, size: int) -> Tuple[bytes, Address]:
        """Receives one datagram: ``(data, sender address)``. A datagram larger than ``size``
        raises :class:`MessageTooLargeError` (and is consumed)."""
        buffer, size = _size_buffer(size)
        n, sender = self._receive("miow_udp_recv_from", buffer, size)
        return _received(buffer, n), sender

    def recv_from_into(self, buffer: Buffer) -> Tuple[int, Address]:
        """Receives one datagram into a writable bytes-like object: ``(length, sender)``."""
        pointer, length = _writable(buffer)
        return self._receive("miow_udp_recv_from", pointer, length)

    def peek_from(self, size: int) -> Tuple[bytes, Address]:
        """Like :meth:`recv_from`, but the datagram stays queued (and too large a datagram
        is not consumed)."""
        buffer, size = _size_buffer(size)
        n, sender = self._receive("miow_udp_peek_from", buffer, size)
        return _received(buffer, n), sender

    def send_to(self, data: Buffer, address: AddressLike) -> int:
        """Sends one datagram (``b""`` is an empty one) to ``address``; returns its length."""
        pointer, length = _readable(data)
        sent = ctypes.c_size_t()
        rc = _lib.miow_udp_send_to(
            self._handle, pointer, length, _address_text(address), ctypes.byref(sent)
        )
        if rc:
            raise _errors.make_error(rc, "miow_udp_send_to")
        return sent.value

    def join_multicast_v4(self, group: str, interface: Optional[str] = "0.0.0.0") -> None:
        """Joins an IPv4 group (``"239.255.0.1"``, no port) on the interface with address
        ``interface`` (``"0.0.0.0"`` or None: the OS chooses)."""
        self._multicast_v4("miow_udp_join_multicast_v4", group, interface)

    def leave_multicast_v4(self, group: str, interface: Optional[str] = "0.0.0.0") -> None:
        """Leaves a group joined with :meth:`join_multicast_v4`."""
        self._multicast_v4("miow_udp_leave_multicast_v4", group, interface)

    def join_multicast_v6(self, group: str, interface_index: int = 0) -> None:
        """Joins an IPv6 group (``"ff02::1:3"``, no brackets or port) on the interface with
        index ``interface_index`` (0: the OS chooses)."""
        self._multicast_v6("miow_udp_join_multicast_v6", group, interface_index)

    def leave_multicast_v6(self, group: str, interface_index: int = 0) -> None:
        """Leaves a group joined with :meth:`join_multicast_v6`."""
        self._multicast_v6("miow_udp_leave_multicast_v6", group, interface_index)

    def _multicast_v4(self, function: str, group: str, interface: Optional[str]) -> None:
        iface = None if interface is None else _ip_text(interface)
        self._check(getattr(_lib, function)(self._handle, _ip_text(group), iface), function)

    def _multicast_v6(self, function: str, group: str, interface_index: int) -> None:
        index = int(interface_index)
        if not 0 <= index < 2**32:
            raise ValueError(f"interface_index must fit in 32 unsigned bits: {index}")
        self._check(getattr(_lib, function)(self._handle, _ip_text(group), index), function)

    broadcast = _option(
        _native.MIOW_OPT_BROADCAST, "``SO_BROADCAST`` (``MIOW_OPT_BROADCAST``).", bool
    )

    multicast_loop_v4 = _option(
        _native.MIOW_OPT_MULTICAST_LOOP_V4, "``IP_MULTICAST_LOOP`` (IPv4 sockets only).", bool
    )

    multicast_ttl_v4 = _option(
        _native.MIOW_OPT_MULTICAST_TTL_V4, "``IP_MULTICAST_TTL``, 0-255 (IPv4 sockets only)."
    )

    multicast_loop_v6 = _option(
        _native.MIOW_OPT_MULTICAST_LOOP_V6, "``IPV6_MULTICAST_LOOP`` (IPv6 sockets only).", bool
    )

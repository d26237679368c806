"""Each miowin error code raises its own exception, placed in Python's hierarchy as documented
(miowin.Error is an OSError; then ValueError, KeyError, MemoryError, RuntimeError or
BlockingIOError as fits), carrying the miowin code and the OS error."""

import errno
import io
import os
import pickle
import sys
import threading
import time

import pytest

import miowin
from miowin import Code, _errors


def check(exc_info, cls, code, builtin, os_errno):
    err = exc_info.value
    assert type(err) is cls
    assert isinstance(err, miowin.Error)
    assert isinstance(err, OSError)
    if builtin is not None:
        assert isinstance(err, builtin)
    assert err.code == code and isinstance(err.code, Code)
    assert err.function and err.function.startswith("miow_")
    assert err.function in str(err)
    assert f"MIOW_{code.name}" in str(err)
    assert miowin.strerror(code) in str(err)
    if sys.platform != "win32":
        assert err.os_error == os_errno
        assert err.errno == os_errno
    return err


def wait_until_polling(selector):
    """Returns once another thread is inside miow_selector_poll on ``selector``: the library
    then refuses this thread's poll with MIOW_EBUSY."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            selector.poll(0)
        except miowin.BusyError:
            return
        time.sleep(0.01)
    raise AssertionError("the other thread never started polling")


def poll_retrying_busy(selector, timeout):
    # The main thread's own probing poll(0) may get in first; that is not what is tested.
    while True:
        try:
            return selector.poll(timeout)
        except miowin.BusyError:
            time.sleep(0.001)


def test_einval_is_invalid_argument_error(selector, socketpair):
    a, _ = socketpair()
    src = miowin.Source(a)
    with pytest.raises(miowin.InvalidArgumentError) as ei:
        src.register(selector, 1, 0)  # no interest bit
    check(ei, miowin.InvalidArgumentError, Code.EINVAL, ValueError, errno.EINVAL)
    with pytest.raises(ValueError):
        src.register(selector, 1, miowin.READABLE | miowin.EDGE | miowin.ONESHOT)
    with pytest.raises(miowin.InvalidArgumentError):
        selector.post(1, 0)
    src.close()


def test_ebadhandle_is_bad_handle_error(socketpair):
    sel = miowin.Selector()
    sel.close()
    with pytest.raises(miowin.BadHandleError) as ei:
        sel.post(1, miowin.READABLE)
    check(ei, miowin.BadHandleError, Code.EBADHANDLE, ValueError, errno.EBADF)
    with pytest.raises(ValueError):
        sel.poll(0)
    a, _ = socketpair()
    src = miowin.Source(a)
    src.close()
    with pytest.raises(miowin.BadHandleError):
        src.rearm()


def test_eexist_is_already_registered_error(socketpair):
    a, _ = socketpair()
    with miowin.Selector() as one, miowin.Selector() as two, miowin.Source(a) as src:
        src.register(one, 1, miowin.READABLE)
        with pytest.raises(miowin.AlreadyRegisteredError) as ei:
            src.register(one, 1, miowin.READABLE)
        check(ei, miowin.AlreadyRegisteredError, Code.EEXIST, KeyError, errno.EEXIST)
        # With another selector too; and reregister naming the wrong selector.
        with pytest.raises(KeyError):
            src.register(two, 1, miowin.READABLE)
        with pytest.raises(miowin.AlreadyRegisteredError):
            src.reregister(two, 1, miowin.READABLE)


def test_enoent_is_not_registered_error(selector, socketpair):
    a, _ = socketpair()
    with miowin.Source(a) as src:
        with pytest.raises(miowin.NotRegisteredError) as ei:
            src.deregister(selector)
        check(ei, miowin.NotRegisteredError, Code.ENOENT, KeyError, errno.ENOENT)
        with pytest.raises(KeyError):
            src.rearm()
        with pytest.raises(KeyError):
            src.reregister(selector, 1, miowin.READABLE)


def test_enoent_after_the_socket_was_closed(selector, socketpair):
    a, _ = socketpair()
    src = miowin.Source(a.fileno())
    src.register(selector, 1, miowin.READABLE)
    a.close()
    with pytest.raises(miowin.NotRegisteredError):
        src.deregister(selector)
    src.close()


def test_ebusy_is_busy_error(selector):
    # A thread other than the main one polls without slicing, so it is inside the library
    # for the whole wait.
    waker = miowin.Waker(selector, 3)
    result = []
    t = threading.Thread(target=lambda: result.append(poll_retrying_busy(selector, 5)))
    t.start()
    wait_until_polling(selector)
    with pytest.raises(miowin.BusyError) as ei:
        selector.poll(0)
    waker.wake()
    t.join(10)
    assert not t.is_alive()
    check(ei, miowin.BusyError, Code.EBUSY, RuntimeError, errno.EBUSY)
    assert result == [[(3, miowin.READABLE)]]
    waker.close()


def test_enotsock_is_not_socket_error():
    r, w = os.pipe()
    try:
        with pytest.raises(miowin.NotSocketError) as ei:
            miowin.Source(r)
        check(ei, miowin.NotSocketError, Code.ENOTSOCK, None, errno.ENOTSOCK)
        assert not isinstance(ei.value, (ValueError, KeyError))
    finally:
        os.close(r)
        os.close(w)


def test_enotsock_for_a_closed_descriptor_carries_ebadf():
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(miowin.NotSocketError) as ei:
        miowin.Source(r)
    if sys.platform != "win32":
        assert ei.value.errno == errno.EBADF


def test_eclosed_is_selector_closed_error():
    sel = miowin.Selector()
    outcome = []

    def poller():
        try:
            poll_retrying_busy(sel, 10)
        except BaseException as e:  # recorded for the assertions below
            outcome.append(e)

    t = threading.Thread(target=poller)
    t.start()
    wait_until_polling(sel)
    sel.close()
    t.join(10)
    assert not t.is_alive()
    (err,) = outcome
    assert type(err) is miowin.SelectorClosedError
    assert isinstance(err, ValueError) and isinstance(err, miowin.Error)
    assert err.code == Code.ECLOSED
    assert err.function == "miow_selector_poll"
    if sys.platform != "win32":
        assert err.errno == errno.ECANCELED


def test_eclosed_from_a_waker_whose_selector_is_gone():
    sel = miowin.Selector()
    waker = miowin.Waker(sel, 1)
    sel.close()
    with pytest.raises(miowin.SelectorClosedError) as ei:
        waker.wake()
    check(ei, miowin.SelectorClosedError, Code.ECLOSED, ValueError, errno.ECANCELED)
    waker.close()


def test_enomem_is_out_of_memory_error():
    # Exhausting memory or the 16-million-slot handle table is not something a test can do
    # safely, so the mapping itself is checked.
    err = _errors.make_error(Code.ENOMEM, "miow_selector_new", errno.ENOMEM)
    assert type(err) is miowin.OutOfMemoryError
    assert isinstance(err, MemoryError) and isinstance(err, miowin.Error)
    assert err.code == Code.ENOMEM and err.os_error == errno.ENOMEM


@pytest.mark.parametrize(
    "os_error", [errno.EAGAIN, errno.EWOULDBLOCK, errno.EINPROGRESS, errno.EALREADY]
)
def test_eos_that_would_block_is_blocking_io_error(os_error):
    if sys.platform == "win32":
        pytest.skip("os_error is a Winsock code on Windows")
    err = _errors.make_error(Code.EOS, "miow_selector_poll", os_error)
    assert type(err) is miowin.WouldBlockError
    assert isinstance(err, BlockingIOError) and isinstance(err, miowin.Error)
    assert err.errno == os_error


# The socket codes: their class, the built-in it also is, and the errno the library records
# with each off Windows (the OS's own error, or for a failure it detected itself the closest).
SOCKET_CODES = [
    (Code.EWOULDBLOCK, "WouldBlockError", BlockingIOError, errno.EAGAIN),
    (Code.ECONNREFUSED, "RefusedError", ConnectionRefusedError, errno.ECONNREFUSED),
    (Code.ECONNRESET, "ResetError", ConnectionResetError, errno.ECONNRESET),
    (Code.ECONNABORTED, "AbortedError", ConnectionAbortedError, errno.ECONNABORTED),
    (Code.ENOTCONN, "NotConnectedError", None, errno.ENOTCONN),
    (Code.EADDRINUSE, "AddressInUseError", None, errno.EADDRINUSE),
    (Code.EADDRNOTAVAIL, "AddressNotAvailableError", None, errno.EADDRNOTAVAIL),
    (Code.EMSGSIZE, "MessageTooLargeError", None, errno.EMSGSIZE),
    (Code.ESHUTDOWN, "ShutdownError", BrokenPipeError, errno.ESHUTDOWN),
    (Code.ETIMEDOUT, "TimedOutError", TimeoutError, errno.ETIMEDOUT),
    (Code.ENOTSUP, "NotSupportedError", io.UnsupportedOperation, errno.EOPNOTSUPP),
    (Code.EPIPE, "PeerClosedError", BrokenPipeError, errno.EPIPE),
]


def check_code_exception(code, name, builtin, os_errno, function):
    """The exception ``make_error`` builds for ``code``: the class ``name`` of miowin, also a
    ``builtin`` (unless None), with the code, its text and, off Windows, ``os_errno``."""
    cls = getattr(miowin, name)
    assert cls.__module__ == "miowin"
    err = _errors.make_error(code, function, os_errno)
    assert type(err) is cls
    assert isinstance(err, miowin.Error) and isinstance(err, OSError)
    if builtin is not None:
        assert isinstance(err, builtin)
    assert err.code == code
    assert f"MIOW_{code.name}" in str(err) and miowin.strerror(code) in str(err)
    if sys.platform != "win32":
        assert err.errno == os_errno
    return err


@pytest.mark.parametrize("code, name, builtin, os_errno", SOCKET_CODES)
def test_socket_codes_have_their_own_exceptions(code, name, builtin, os_errno):
    err = check_code_exception(code, name, builtin, os_errno, "miow_source_read")
    if builtin is None:
        # Only an OSError: not caught by an `except` for another built-in family.
        assert not isinstance(err, (ValueError, KeyError, ConnectionError, BlockingIOError))


def test_a_socket_failure_carries_the_recorded_os_error():
    # A refused bind address, raised by a real call: the class, code and errno agree.
    with pytest.raises(miowin.AddressNotAvailableError) as ei:
        miowin.TcpListener.bind("192.0.2.1:0")
    err = ei.value
    assert err.code == Code.EADDRNOTAVAIL
    assert err.function == "miow_tcp_listen"
    if sys.platform != "win32":
        assert err.errno == err.os_error == errno.EADDRNOTAVAIL


def test_the_socket_codes_are_distinct_and_described():
    codes = [code for code, *_ in SOCKET_CODES]
    assert [int(c) for c in codes] == list(range(-10, -22, -1))
    assert len({miowin.strerror(c) for c in codes}) == len(codes)
    assert "unknown error" not in {miowin.strerror(c) for c in codes}


# The pipe codes, as SOCKET_CODES; the errno is what the Linux backend records with each.
PIPE_CODES = [
    (Code.EPIPEBUSY, "PipeBusyError", None, errno.EAGAIN),
    (Code.ENOTFOUND, "PipeNotFoundError", FileNotFoundError, errno.ECONNREFUSED),
]


@pytest.mark.parametrize("code, name, builtin, os_errno", PIPE_CODES)
def test_pipe_codes_have_their_own_exceptions(code, name, builtin, os_errno):
    err = check_code_exception(code, name, builtin, os_errno, "miow_pipe_open")
    # A busy pipe is not a would-block: no event says when to try again.
    assert not isinstance(err, (BlockingIOError, ValueError, KeyError, ConnectionError))
    assert pickle.loads(pickle.dumps(err)).code == code


def test_the_pipe_codes_follow_the_socket_codes_and_are_described():
    assert [int(c) for c, *_ in PIPE_CODES] == [-22, -23]
    texts = {miowin.strerror(c) for c, *_ in PIPE_CODES}
    assert len(texts) == 2 and "unknown error" not in texts
    assert texts.isdisjoint(miowin.strerror(c) for c in Code if c > -22)


def test_eos_otherwise_is_plain_error():
    err = _errors.make_error(Code.EOS, "miow_selector_poll", errno.EIO)
    assert type(err) is miowin.Error
    assert err.code == Code.EOS and err.errno == errno.EIO


def test_unknown_code_is_plain_error():
    err = _errors.make_error(-77, "miow_selector_poll", errno.EIO)
    assert type(err) is miowin.Error
    assert err.code == -77
    assert "unknown error" in str(err)


def test_errors_pickle(selector):
    with pytest.raises(miowin.InvalidArgumentError) as ei:
        selector.post(1, 0)
    again = pickle.loads(pickle.dumps(ei.value))
    assert type(again) is miowin.InvalidArgumentError
    assert (again.code, again.os_error, again.function, str(again)) == (
        ei.value.code,
        ei.value.os_error,
        ei.value.function,
        str(ei.value),
    )


def test_error_classes_are_public_under_miowin():
    for name in (
        "Error",
        "InvalidArgumentError",
        "BadHandleError",
        "OutOfMemoryError",
        "AlreadyRegisteredError",
        "NotRegisteredError",
        "BusyError",
        "NotSocketError",
        "SelectorClosedError",
        "WouldBlockError",
        "LibraryError",
        "RefusedError",
        "ResetError",
        "AbortedError",
        "NotConnectedError",
        "AddressInUseError",
        "AddressNotAvailableError",
        "MessageTooLargeError",
        "ShutdownError",
        "TimedOutError",
        "NotSupportedError",
        "PeerClosedError",
        "PipeBusyError",
        "PipeNotFoundError",
    ):
        cls = getattr(miowin, name)
        assert cls.__module__ == "miowin"
    assert issubclass(miowin.LibraryError, ImportError)

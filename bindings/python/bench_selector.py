"""Per-call overhead of MiowSelector against the standard library's EpollSelector, measured in
one run on the same machine (Linux):

- ``select(0)`` with one idle socket registered and nothing ready;
- ``register()`` then ``unregister()`` of one socket;
- ``select(0)`` with 50 sockets ready to read (level-triggered, so every call reports all 50).

Each case is timed with :mod:`timeit` over ``--number`` calls, ``--repeat`` times, alternating
the two selectors, and the best (least disturbed) repeat of each is kept. The last column times
the library calls a case makes, alone and with their arguments made once: the floor that no
Python code over the library can go below. Prints a Markdown
table with the per-call times and the ratios, and the targets from the project's issue; exits 1
with ``--check`` if a ratio misses its target.

    MIOWIN_LIBRARY=build/linux/src/libmiowin.so.1 PYTHONPATH=bindings/python \\
        /usr/bin/python3 bindings/python/bench_selector.py
"""

import argparse
import ctypes
import datetime
import platform
import selectors
import socket
import sys
import timeit

import miowin
from miowin import _fast
from miowin.selectors import MiowSelector

READY = 50
TARGETS = {"select(0), nothing ready": 1.5, "register + unregister": 1.5, "select(0), 50 ready": 1.1}


def case_empty(cls):
    a, b = socket.socketpair()
    sel = cls()
    sel.register(a, selectors.EVENT_READ)

    def run():
        sel.select(0)

    def close():
        sel.close()
        a.close()
        b.close()

    return run, close


def case_register(cls):
    a, b = socket.socketpair()
    sel = cls()

    def run():
        sel.register(a, selectors.EVENT_READ)
        sel.unregister(a)

    def close():
        sel.close()
        a.close()
        b.close()

    return run, close


def case_ready(cls):
    pairs = [socket.socketpair() for _ in range(READY)]
    sel = cls()
    for a, b in pairs:
        sel.register(a, selectors.EVENT_READ)
        b.send(b"x")
    assert len(sel.select(1)) == READY

    def run():
        sel.select(0)

    def close():
        sel.close()
        for a, b in pairs:
            a.close()
            b.close()

    return run, close


def case_library_empty():
    """The library's own share of select(0): one raw miow_selector_poll call, arguments made
    once and passed as MiowSelector passes them (what it cannot go below)."""
    a, b = socket.socketpair()
    sel = MiowSelector()
    sel.register(a, selectors.EVENT_READ)
    args = sel._selector._poll_now_args
    poll = _fast.selector_poll_now

    def run():
        poll(*args)

    def close():
        sel.close()
        a.close()
        b.close()

    return run, close


def case_library_register():
    """The library's own share of register + unregister: miow_source_register and
    miow_source_deregister of one source, raw (MiowSelector keeps a socket's source between
    registrations, so these two are all the calls it makes)."""
    a, b = socket.socketpair()
    sel = MiowSelector()
    c_sel, fd = sel._c_selector, a.fileno()
    new = ctypes.c_void_p()
    _fast.source_new(ctypes.byref(new), _fast.c_socket(fd))
    handle, token = miowin.selectors._source_args(new.value, fd)
    interests = miowin.selectors._INTERESTS[selectors.EVENT_READ]

    def run():
        _fast.source_register(handle, c_sel, token, interests)
        _fast.source_deregister(handle, c_sel)

    def close():
        _fast.source_free(handle)
        sel.close()
        a.close()
        b.close()

    return run, close


#: case -> the raw library calls it makes, timed alone for the "library alone" column.
LIBRARY = {
    "select(0), nothing ready": case_library_empty,
    "register + unregister": case_library_register,
}

CASES = {
    "select(0), nothing ready": case_empty,
    "register + unregister": case_register,
    "select(0), 50 ready": case_ready,
}


def measure(make, cls, number):
    run, close = make(cls) if cls is not None else make()
    try:
        return timeit.timeit(run, number=number) / number
    finally:
        close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=20000, help="calls per repeat")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if not hasattr(selectors, "EpollSelector"):
        sys.exit("bench_selector.py compares with EpollSelector: Linux only")

    print(f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"miowin {miowin.version_string()}, {args.repeat} x {args.number} calls, best repeat")
    print()
    print("| case | EpollSelector | MiowSelector | ratio | target | library calls alone |")
    print("|------|---------------|--------------|-------|--------|---------------------|")
    missed = []
    for name, make in CASES.items():
        best = {selectors.EpollSelector: float("inf"), MiowSelector: float("inf"), None: float("inf")}
        for _ in range(args.repeat):
            for cls in best:
                if cls is None:
                    if name in LIBRARY:
                        best[None] = min(best[None], measure(LIBRARY[name], None, args.number))
                else:
                    best[cls] = min(best[cls], measure(make, cls, args.number))
        epoll = best[selectors.EpollSelector]
        ratio = best[MiowSelector] / epoll
        target = TARGETS[name]
        if ratio > target:
            missed.append(name)
        alone = (f"{best[None] * 1e6:.2f} µs ({best[None] / epoll:.2f}x)"
                 if name in LIBRARY else "")
        print(f"| {name} | {epoll * 1e6:.2f} µs | "
              f"{best[MiowSelector] * 1e6:.2f} µs | {ratio:.2f}x | <= {target}x | {alone} |")
    if missed:
        print(f"\nmissed: {', '.join(missed)}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())

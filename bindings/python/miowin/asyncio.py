"""asyncio on a miowin selector.

``new_event_loop()`` returns an :class:`asyncio.SelectorEventLoop` driven by
:class:`miowin.selectors.MiowSelector`. Hand it to asyncio as a loop factory::

    asyncio.run(main(), loop_factory=miowin.asyncio.new_event_loop)   # Python 3.12+

    with asyncio.Runner(loop_factory=miowin.asyncio.new_event_loop) as runner:  # 3.11+
        runner.run(main())

or use :func:`run`, which picks whichever the running Python has.

Only sockets can be watched: the loop's socket, stream and server APIs all work, but
``add_reader()`` on a pipe raises :class:`miowin.NotSocketError`, so subprocess pipes are not
supported (the Windows SelectorEventLoop does not support subprocesses either).
"""

import asyncio as _asyncio
import sys

from .selectors import MiowSelector

__all__ = ["new_event_loop", "run"]


def new_event_loop():
    """A new asyncio.SelectorEventLoop over a new MiowSelector."""
    return _asyncio.SelectorEventLoop(MiowSelector())


def run(main, *, debug=None):
    """Runs the coroutine ``main`` to completion on a new miowin event loop, as asyncio.run()
    does, and returns its result."""
    if sys.version_info >= (3, 11):
        with _asyncio.Runner(loop_factory=new_event_loop, debug=debug) as runner:
            return runner.run(main)
    loop = new_event_loop()
    try:
        _asyncio.set_event_loop(loop)
        if debug is not None:
            loop.set_debug(debug)
        return loop.run_until_complete(main)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            _asyncio.set_event_loop(None)
            loop.close()

"""asyncio on a miowin selector.

:class:`MiowEventLoop` is an :class:`asyncio.SelectorEventLoop` driven by
:class:`miowin.selectors.MiowSelector`. Pick it with a loop factory::

    asyncio.run(main(), loop_factory=miowin.asyncio.new_event_loop)   # Python 3.12+

    with asyncio.Runner(loop_factory=miowin.asyncio.new_event_loop) as runner:  # 3.11+
        runner.run(main())

or with :func:`run`, which works on every version, or for code (and frameworks) that create
their own loop with ``asyncio.new_event_loop()`` or ``asyncio.run()``, by installing the
policy: :func:`install` (or ``asyncio.set_event_loop_policy(MiowEventLoopPolicy())``).

Sockets are always watched: the socket, stream, server and datagram APIs all work.
Subprocesses, pipes and ptys need a selector that takes any descriptor: they work on Linux with
miowin 1.2 (:data:`miowin.selectors.ANY_DESCRIPTOR`). Elsewhere (Windows, or an older library)
``subprocess_exec()``,
``subprocess_shell()``, ``connect_read_pipe()`` and ``connect_write_pipe()`` raise
:class:`NotImplementedError` at once, as the Windows SelectorEventLoop does, rather than
failing later inside the loop, where the caller would wait forever.
"""

import asyncio as _asyncio
import sys
from typing import Any, Coroutine, Optional, TypeVar

from .selectors import ANY_DESCRIPTOR, MiowSelector

__all__ = [
    "MiowEventLoop",
    "MiowEventLoopPolicy",
    "install",
    "new_event_loop",
    "run",
]

_T = TypeVar("_T")

_UNSUPPORTED = (
    "the miowin event loop watches sockets only: {what} needs a miowin library that can watch "
    "any descriptor (miow_source_new_waitable, on Linux); use the default event loop for it"
)


class MiowEventLoop(_asyncio.SelectorEventLoop):
    """An :class:`asyncio.SelectorEventLoop` over a :class:`MiowSelector` (a new one unless
    ``selector`` is given)."""

    def __init__(self, selector: Optional[MiowSelector] = None) -> None:
        super().__init__(MiowSelector() if selector is None else selector)

    if not ANY_DESCRIPTOR:
        # Each of these would otherwise build a transport that registers a pipe from a
        # call_soon() callback: the selector's refusal would then reach only the loop's
        # exception handler, and the caller would wait forever.

        async def _make_subprocess_transport(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError(_UNSUPPORTED.format(what="a subprocess"))

        def _make_read_pipe_transport(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError(_UNSUPPORTED.format(what="a read pipe"))

        def _make_write_pipe_transport(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError(_UNSUPPORTED.format(what="a write pipe"))


# The default policy of the platform (its child watchers on Unix, before 3.12); from 3.14 the
# public name is deprecated and the class is also reachable as _DefaultEventLoopPolicy.
_BasePolicy: Any = getattr(_asyncio, "_DefaultEventLoopPolicy", None) or getattr(
    _asyncio, "DefaultEventLoopPolicy"
)


class MiowEventLoopPolicy(_BasePolicy):  # type: ignore[misc]
    """The platform's default event loop policy, except that its loops are miowin loops."""

    _loop_factory = MiowEventLoop


def new_event_loop() -> MiowEventLoop:
    """A new :class:`MiowEventLoop` over a new MiowSelector."""
    return MiowEventLoop()


def install() -> MiowEventLoopPolicy:
    """Makes miowin loops asyncio's default: sets a new :class:`MiowEventLoopPolicy` as the
    event loop policy, so that ``asyncio.new_event_loop()``, ``asyncio.run()`` and whatever
    creates its loop through the policy get a :class:`MiowEventLoop`. Returns the policy."""
    policy = MiowEventLoopPolicy()
    _asyncio.set_event_loop_policy(policy)
    return policy


def run(main: Coroutine[Any, Any, _T], *, debug: Optional[bool] = None) -> _T:
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

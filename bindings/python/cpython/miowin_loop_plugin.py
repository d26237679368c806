"""pytest plugin for run_asyncio_suite.py: with MIOWIN_SUITE_LOOP=miowin in the environment,
every selector event loop that CPython's asyncio tests create is a miowin loop.

The tests make their loops in four ways, and each is redirected:

- ``asyncio.SelectorEventLoop(selectors.EpollSelector())`` (the EPoll test classes):
  ``selectors.EpollSelector`` becomes MiowSelector and ``asyncio.SelectorEventLoop`` becomes
  MiowEventLoop;
- ``asyncio.SelectorEventLoop()``: MiowEventLoop, whose default selector is MiowSelector;
- ``asyncio.new_event_loop()`` and ``policy.new_event_loop()``: the policy is a
  MiowEventLoopPolicy, also after a test module resets it with
  ``asyncio.set_event_loop_policy(None)`` (``asyncio.DefaultEventLoopPolicy`` is replaced);
- ``selectors.DefaultSelector()``: MiowSelector.

It counts the MiowSelectors created, and the run fails if a module made none (the comparison
would then be between two default loops). With any other value it only counts nothing.
"""

import asyncio
import asyncio.unix_events
import os
import selectors

import pytest

MODE = os.environ.get("MIOWIN_SUITE_LOOP", "default")
created = 0


def pytest_configure(config):
    if MODE != "miowin":
        return
    import miowin.asyncio
    from miowin.selectors import MiowSelector

    class CountedSelector(MiowSelector):
        def __init__(self, *args, **kwargs):
            global created
            created += 1
            super().__init__(*args, **kwargs)

    class Loop(miowin.asyncio.MiowEventLoop):
        def __init__(self, selector=None):
            super().__init__(CountedSelector() if selector is None else selector)

    class Policy(miowin.asyncio.MiowEventLoopPolicy):
        _loop_factory = Loop

    selectors.EpollSelector = CountedSelector
    selectors.DefaultSelector = CountedSelector
    asyncio.SelectorEventLoop = Loop
    asyncio.unix_events.SelectorEventLoop = Loop
    asyncio.DefaultEventLoopPolicy = Policy
    asyncio.unix_events.DefaultEventLoopPolicy = Policy
    asyncio.set_event_loop_policy(Policy())


def pytest_sessionfinish(session, exitstatus):
    if MODE == "miowin" and created == 0 and session.testscollected:
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        print("\nmiowin_loop_plugin: no MiowSelector was created: the run tested nothing of miowin")


def pytest_report_header(config):
    return [f"asyncio loop under test: {MODE}"]

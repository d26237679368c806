"""The event loop policy: miowin.asyncio.install() makes every loop that asyncio or a framework
creates through the policy a miowin loop; MiowEventLoopPolicy keeps the platform policy's other
duties. Each check runs in a child interpreter, so that the process-wide policy it sets cannot
leak into other tests."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.timeout(60)


def run_child(code, timeout=45):
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.split()


def test_install_makes_asyncio_loops_miowin_loops():
    out = run_child(
        """
        import asyncio
        import miowin.asyncio
        from miowin.selectors import MiowSelector

        policy = miowin.asyncio.install()
        assert isinstance(policy, miowin.asyncio.MiowEventLoopPolicy)
        assert asyncio.get_event_loop_policy() is policy

        loop = asyncio.new_event_loop()
        print(type(loop).__name__, type(loop._selector).__name__)
        loop.close()

        async def main():
            loop = asyncio.get_running_loop()
            return type(loop).__name__

        print(asyncio.run(main()))
        """
    )
    assert out == ["MiowEventLoop", "MiowSelector", "MiowEventLoop"]


def test_policy_without_install():
    out = run_child(
        """
        import asyncio
        import miowin.asyncio

        policy = miowin.asyncio.MiowEventLoopPolicy()
        loop = policy.new_event_loop()
        print(type(loop).__name__, isinstance(loop, asyncio.SelectorEventLoop))
        loop.close()
        # Not installed: asyncio's own policy still makes its own loops.
        loop = asyncio.new_event_loop()
        print(type(loop).__name__)
        loop.close()
        """
    )
    assert out[:2] == ["MiowEventLoop", "True"]
    assert out[2] != "MiowEventLoop"


def test_run_and_new_event_loop():
    out = run_child(
        """
        import asyncio
        import miowin.asyncio

        async def main():
            return type(asyncio.get_running_loop()).__name__

        print(miowin.asyncio.run(main()))
        loop = miowin.asyncio.new_event_loop()
        print(type(loop).__name__, loop.run_until_complete(main()))
        loop.close()
        """
    )
    assert out == ["MiowEventLoop", "MiowEventLoop", "MiowEventLoop"]


def test_aiohttp_run_app_serves_on_the_installed_policy():
    # aiohttp's web.run_app() creates its loop itself with asyncio.new_event_loop(), installs
    # its SIGINT handler on it, and serves until interrupted. Here the app asks itself for a
    # page with aiohttp's client, then interrupts itself; the page names the serving loop.
    pytest.importorskip("aiohttp")
    out = run_child(
        """
        import asyncio
        import os
        import signal
        import socket

        from aiohttp import ClientSession, web
        import miowin.asyncio

        miowin.asyncio.install()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

        async def hello(request):
            loop = asyncio.get_running_loop()
            return web.Response(text=f"{type(loop).__name__}:{type(loop._selector).__name__}")

        async def ask_then_stop(app):
            async with ClientSession() as session:
                for _ in range(3):
                    async with session.get(f"http://127.0.0.1:{port}/") as response:
                        print(response.status, await response.text())
            os.kill(os.getpid(), signal.SIGINT)

        async def on_startup(app):
            app["client"] = asyncio.get_running_loop().create_task(ask_then_stop(app))

        app = web.Application()
        app.router.add_get("/", hello)
        app.on_startup.append(on_startup)
        web.run_app(app, sock=sock, print=None)
        print("stopped")
        """
    )
    assert out == ["200", "MiowEventLoop:MiowSelector"] * 3 + ["stopped"]

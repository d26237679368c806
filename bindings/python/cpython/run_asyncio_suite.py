"""Runs CPython's own asyncio tests twice in one go, on the default selector loop and on the
miowin loop, compares them test by test, and checks the result against the exceptions listed
in docs/python-asyncio-suite.md.

    /usr/bin/python3 bindings/python/cpython/run_asyncio_suite.py [--timeout S] [--only MODULE]

The tests come from Debian's libpython3.X-testsuite (``test.test_asyncio``). Each module runs in
its own pytest process per loop, every test bounded by pytest-timeout; miowin_loop_plugin.py
makes the loops miowin loops in the second run. Prints pass / fail / skip per module and loop,
then the verdict. Fails (exit 1) when:

- a test passes on the default loop and does not pass on the miowin loop, and is not listed;
- a listed test no longer fails on miowin (or no longer exists, or no longer passes on the
  default loop): the list may only shrink deliberately, never go stale;
- a listed test failed for another reason than its listed one (each reason names text its
  failure message must contain);
- a run crashed, or the plugin saw no MiowSelector made.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
EXCEPTIONS_DOC = os.path.join(REPO, "docs", "python-asyncio-suite.md")

#: module -> the test classes that run a selector event loop (None: the whole module, whose
#: loops all come from asyncio.new_event_loop() or the policy).
MODULES = {
    "test_events": ["EPollEventLoopTests"],
    "test_streams": None,
    "test_sock_lowlevel": ["EPollEventLoopTests"],
    "test_server": ["SelectorStartServerTests"],
    "test_sendfile": ["EPollEventLoopTests"],
    "test_subprocess": None,
    "test_buffered_proto": ["BufferedProtocolSelectorTests"],
}

#: Reason key (the docs' second column) -> text every failure with that reason must contain.
REASONS = {
    # The loop refused a pipe, a pty or a subprocess (NotImplementedError / NotSocketError).
    "any-descriptor": "watches sockets only",
    # The loop refused the subprocess before it asked the child watcher, which the test counts.
    "refused-first": "Lists differ: [] != [call.__enter__()",
}

PYTEST_INI = "[pytest]\naddopts = -p no:cacheprovider\n"


def load_exceptions(path=EXCEPTIONS_DOC):
    """The ``| `test id` | reason-key | why |`` rows of the doc's exceptions table (the rows
    after its "## Exceptions" heading)."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if "\n## Exceptions" not in text:
        raise SystemExit(f"{path}: no '## Exceptions' section")
    for line in text.split("\n## Exceptions", 1)[1].splitlines():
        m = re.match(r"^\|\s*`([\w.]+)`\s*\|\s*([\w-]+)\s*\|", line)
        if m:
            test, reason = m.groups()
            if test in rows:
                raise SystemExit(f"{path}: {test} is listed twice")
            if reason not in REASONS:
                raise SystemExit(f"{path}: {test} has unknown reason {reason!r}")
            rows[test] = reason
    return rows


def outcomes(junit_path, module):
    """test id -> (outcome, message) from a JUnit XML report."""
    result = {}
    root = ET.parse(junit_path).getroot()
    for case in root.iter("testcase"):
        cls = case.get("classname", "").rsplit(".", 1)[-1]
        test = f"{module}.{cls}.{case.get('name')}"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = "skipped" if tag == "skipped" else "failed"
                message = (node.get("message") or "") + "\n" + (node.text or "")
                break
        result[test] = (outcome, message)
    return result


def run_module(python, module, mode, timeout, workdir):
    """Runs one module on one loop; returns ({test: (outcome, message)}, exit code, seconds)."""
    import test.test_asyncio  # noqa: F401 - only to find the files

    directory = os.path.dirname(sys.modules["test.test_asyncio"].__file__)
    path = os.path.join(directory, module + ".py")
    classes = MODULES[module]
    targets = [f"{path}::{c}" for c in classes] if classes else [path]
    junit = os.path.join(workdir, f"{module}-{mode}.xml")
    ini = os.path.join(workdir, "pytest.ini")
    with open(ini, "w") as f:
        f.write(PYTEST_INI)
    env = dict(os.environ, MIOWIN_SUITE_LOOP=mode, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    command = [
        python, "-m", "pytest", "-q", "-c", ini, "--rootdir", workdir,
        "-p", "miowin_loop_plugin", "--timeout", str(timeout), "--timeout-method", "signal",
        "--junitxml", junit, "-o", "junit_family=xunit1", *targets,
    ]
    start = time.monotonic()
    proc = subprocess.run(command, cwd=workdir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    elapsed = time.monotonic() - start
    with open(os.path.join(workdir, f"{module}-{mode}.log"), "w") as f:
        f.write(proc.stdout)
    if not os.path.exists(junit) or proc.returncode not in (0, 1):
        tail = "\n".join(proc.stdout.splitlines()[-20:])
        raise RuntimeError(f"{module} on {mode}: pytest exited {proc.returncode}\n{tail}")
    return outcomes(junit, module), elapsed


def tally(results):
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome, _ in results.values():
        counts[outcome] += 1
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=30, help="seconds per test")
    parser.add_argument("--only", action="append", choices=sorted(MODULES),
                        help="run only this module (repeatable); skips the stale-list check")
    parser.add_argument("--keep", help="directory for the logs and reports (default: a temp dir)")
    args = parser.parse_args(argv)
    modules = args.only or list(MODULES)
    listed = load_exceptions()
    python = sys.executable

    problems = []
    default, miowin = {}, {}
    workdir = args.keep or tempfile.mkdtemp(prefix="miowin-asyncio-suite-")
    os.makedirs(workdir, exist_ok=True)
    started = time.monotonic()
    for module in modules:
        line = [f"{module:20}"]
        for mode, into in (("default", default), ("miowin", miowin)):
            try:
                results, elapsed = run_module(python, module, mode, args.timeout, workdir)
            except RuntimeError as e:
                problems.append(str(e))
                line.append(f"{mode}: crashed")
                continue
            into.update(results)
            c = tally(results)
            line.append(f"{mode}: {c['passed']} passed, {c['failed']} failed, "
                        f"{c['skipped']} skipped ({elapsed:.0f} s)")
        print("asyncio-suite: " + " | ".join(line), flush=True)

    lost = sorted(t for t, (o, _) in default.items() if o == "passed"
                  and miowin.get(t, ("missing", ""))[0] != "passed")
    for test in lost:
        outcome, message = miowin.get(test, ("missing", ""))
        reason = listed.get(test)
        if reason is None:
            first = message.strip().splitlines()[:1]
            problems.append(f"not listed: {test} passes on the default loop, {outcome} on miowin"
                            + (f": {first[0]}" if first else ""))
        elif REASONS[reason] not in message:
            problems.append(f"{test} is listed as {reason}, but its failure does not say "
                            f"{REASONS[reason]!r}: {message.strip()[:300]}")
    ran = set(default) | set(miowin)
    for test, reason in sorted(listed.items()):
        if test.split(".", 1)[0] not in modules:
            continue
        if test not in lost:
            state = "did not run" if test not in ran else (
                f"default {default.get(test, ('missing',))[0]}, "
                f"miowin {miowin.get(test, ('missing',))[0]}")
            problems.append(f"stale exception: {test} ({reason}) is listed, but {state}: "
                            f"remove it from {os.path.relpath(EXCEPTIONS_DOC, REPO)}")

    d, m = tally(default), tally(miowin)
    print(f"asyncio-suite: total default: {d['passed']} passed, {d['failed']} failed, "
          f"{d['skipped']} skipped | miowin: {m['passed']} passed, {m['failed']} failed, "
          f"{m['skipped']} skipped | listed exceptions: {sum(1 for t in lost if t in listed)}"
          f" | {time.monotonic() - started:.0f} s" + (f" (logs in {workdir})" if args.keep else ""))
    for p in problems:
        print("asyncio-suite: PROBLEM: " + p)
    print(f"asyncio-suite: {'FAILED' if problems else 'OK'}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

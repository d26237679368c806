"""The runnable examples of docs/python.md and bindings/python/README.md (each ```python block
with a __main__ guard) run as written and print what the text says they print."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

DOCS = {
    "docs/python.md": [
        ["b'hello, miowin'"],
        ["MiowEventLoop"],
        ["reader 1 b'ping'"],
        ["[(7, 1)]", "[(99, 1)]"],
        ["[]", "[(1, 1)]", "0"],
        ["b'hello' True", "would block", "True"],
        ["False", "True", "b'hello, pipe'"],
    ],
    "bindings/python/README.md": [
        ["b'hello'"],
        ["b'hello, miowin'"],
        ["b'hello, pipe'"],
    ],
}


def examples(relative):
    with open(os.path.join(REPO, relative), encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    return [b for b in blocks if '__name__ == "__main__"' in b]


def test_every_runnable_example_is_checked():
    for relative, outputs in DOCS.items():
        assert len(examples(relative)) == len(outputs), relative


@pytest.mark.parametrize(
    "relative, index",
    [(relative, i) for relative, outputs in DOCS.items() for i in range(len(outputs))],
)
def test_example_runs(relative, index, tmp_path):
    code = examples(relative)[index]
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == DOCS[relative][index], proc.stdout + proc.stderr

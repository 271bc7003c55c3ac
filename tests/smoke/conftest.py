"""The smoke suite: mockplex as a user gets it, from the wheel, in a virtualenv of its
own. Only the standard library talks to the server, so that the core install (without
the ``intercept`` extra) is tested as it is."""

from __future__ import annotations

import re
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

READY = re.compile(r"mockplex listening on (http://127\.0\.0\.1:\d+)\n")


@pytest.fixture
def served() -> Iterator[str]:
    """``mockplex serve --port 0`` through the console script the wheel installed."""
    script = Path(sys.executable).parent / "mockplex"
    proc = subprocess.Popen([str(script), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    line = proc.stdout.readline() if ready else ""
    match = READY.fullmatch(line)
    if not match:
        proc.kill()
        pytest.fail(f"mockplex serve printed {line!r}; stderr: {proc.stderr.read()}")
    yield match.group(1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0, proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()

"""What installing mockplex costs before any test uses it, against its anchors.

Each side is installed as a user installs it, into a clean virtualenv of its own:
mockplex from its built wheel (pip compiles its modules, as for any installed
package), pytest-httpserver from PyPI; both with the same pytest. Measured there:

- the plugin module's import, after pytest's own: modules added and milliseconds;
- a trivial pytest session (one empty test) with each plugin installed;
- ``mockplex serve`` until its ready line, against a minimal Flask app on waitress in
  the same virtualenv, and until the first answer to a request after that line.

Every figure is the median of interleaved runs, so that both sides see the same noise.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import venv
from collections.abc import Callable
from pathlib import Path

RUNS = 15
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]

PLUGIN_IMPORT = textwrap.dedent("""
    import sys, time, json
    import pytest
    before = set(sys.modules)
    began = time.perf_counter()
    import {module}
    spent = time.perf_counter() - began
    print(json.dumps([len(set(sys.modules) - before), spent * 1000]))
""")

MINIMAL_FLASK = textwrap.dedent("""
    from flask import Flask
    from waitress.server import create_server

    app = Flask(__name__)

    @app.post("/")
    def index():
        return "ok"

    server = create_server(app, host="127.0.0.1", port=0)
    print(f"listening on http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()
""")


def python_of(folder: Path) -> Path:
    return folder / "bin" / "python"


def make_venv(folder: Path, *requirements: str) -> Path:
    venv.create(folder, with_pip=True)
    subprocess.run([str(python_of(folder)), *PIP, *requirements], check=True, timeout=600)
    return python_of(folder)


def interleaved(ours: Callable[[], float], theirs: Callable[[], float]) -> tuple[float, float]:
    mine, anchor = [], []
    ours(), theirs()  # warm the file cache
    for _ in range(RUNS):
        mine.append(ours())
        anchor.append(theirs())
    return statistics.median(mine), statistics.median(anchor)


def plugin_import(python: Path, module: str) -> list[float]:
    out = subprocess.run([str(python), "-c", PLUGIN_IMPORT.format(module=module)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return list(json.loads(out))


def pytest_session_ms(python: Path, folder: Path) -> float:
    began = time.perf_counter()
    subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "test_trivial.py"], cwd=folder, check=True, capture_output=True,
                   timeout=60)
    return (time.perf_counter() - began) * 1000


def ready_and_answer_ms(command: list[str], path: str, headers: dict[str, str]
                        ) -> tuple[float, float]:
    """Milliseconds until the ready line, and until the first answer after it."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        ready = time.perf_counter()
        url = line.split(" on ", 1)[1].strip()
        request = urllib.request.Request(url + path, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        answered = time.perf_counter()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    return (ready - began) * 1000, (answered - began) * 1000


def measure(wheel: Path, pytest_version: str, httpserver: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        ours = make_venv(base / "mockplex", str(wheel), f"pytest=={pytest_version}")
        theirs = make_venv(base / "httpserver", httpserver, f"pytest=={pytest_version}")
        (base / "test_trivial.py").write_text("def test_nothing():\n    pass\n")
        (base / "minimal_flask.py").write_text(MINIMAL_FLASK)

        modules, import_ms = {}, {}
        for name, python, module in (("mockplex", ours, "mockplex.plugin"),
                                     ("httpserver", theirs, "pytest_httpserver.pytest_plugin")):
            samples = [plugin_import(python, module) for _ in range(RUNS)]
            modules[name] = statistics.median(count for count, _ in samples)
            import_ms[name] = statistics.median(ms for _, ms in samples)

        session = interleaved(lambda: pytest_session_ms(ours, base),
                              lambda: pytest_session_ms(theirs, base))

        serve = [str(ours.parent / "mockplex"), "serve", "--port", "0", "--quiet"]
        minimal = [str(ours), str(base / "minimal_flask.py")]
        plex = {"X-Plex-Client-Identifier": "bench"}
        ours_runs, minimal_runs = [], []
        for _ in range(RUNS + 1):
            ours_runs.append(ready_and_answer_ms(serve, "/api/v2/pins", plex))
            minimal_runs.append(ready_and_answer_ms(minimal, "/", {}))
        ours_runs, minimal_runs = ours_runs[1:], minimal_runs[1:]  # the first warms caches
    return {
        "plugin modules": modules["mockplex"], "plugin modules anchor": modules["httpserver"],
        "plugin ms": import_ms["mockplex"], "plugin ms anchor": import_ms["httpserver"],
        "session ms": session[0], "session ms anchor": session[1],
        "ready ms": statistics.median(ready for ready, _ in ours_runs),
        "ready ms anchor": statistics.median(ready for ready, _ in minimal_runs),
        "answer ms": statistics.median(answer for _, answer in ours_runs),
        "answer ms anchor": statistics.median(answer for _, answer in minimal_runs),
    }


if __name__ == "__main__":
    [wheel_path] = sys.argv[1:]
    import pytest

    print(json.dumps(measure(Path(wheel_path), pytest.__version__, "pytest-httpserver==1.2.0"),
                     indent=2))

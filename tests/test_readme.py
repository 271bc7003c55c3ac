"""The README's examples, run as written."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
SDK036 = Path(sys.prefix) / "plex-api-client-0.36"
NEEDS_SDK036 = "# needs plex-api-client 0.36"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_the_quick_start_is_make_serve_and_make_test():
    assert blocks("sh")[0].splitlines()[:2] == [
        "make serve   # the fake plex.tv on http://127.0.0.1:32500 (sets itself up first)",
        "make test    # creates .venv, installs everything, runs the whole suite"]


@pytest.mark.parametrize("sdk036", [False, True], ids=["main", "plex-api-client-0.36"])
def test_the_python_examples_pass(pytester, monkeypatch, sdk036):
    """Every python block, each as its own test module (one pytest run per environment)."""
    examples = {f"test_readme_{number}": block for number, block in enumerate(blocks("python"))
                if block.startswith(NEEDS_SDK036) == sdk036}
    assert examples
    if sdk036:
        monkeypatch.setenv("PYTHONPATH", str(SDK036))
    pytester.makepyfile(**examples)
    result = run_pytest(pytester)
    tests = sum(len(re.findall(r"^def test_", block, re.M)) for block in examples.values())
    result.assert_outcomes(passed=tests)


def test_the_ci_example_runs(tmp_path):
    script = next(block for block in blocks("sh") if "MOCKPLEX_URL" in block)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, MOCKPLEX_PORT=str(port),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"authToken":"MockPlexDefaultToken"' in result.stdout


def test_the_scenario_example_loads():
    import json

    from mockplex import Store
    from mockplex.scenario import load

    [example] = blocks("json")
    store = Store()
    load(store, json.loads(example))
    assert [a.username for a in store.accounts()] == ["mockplex", "alice"]
    assert len(store.pins()) == 3  # the expired one is gone

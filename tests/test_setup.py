"""Setting mockplex up: ``make serve`` installs what serving needs and no more (the test
and lint tools are ``make test``'s, in the same virtualenv), and the README's install line
names the extras setup.cfg has. The Makefile is run with ``make -n`` in a copy of the
files its stamps depend on: nothing is installed."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP_INPUTS = ["Makefile", "setup.cfg", "pyproject.toml", "mockplex/__init__.py"]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in STAMP_INPUTS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def dry_run(checkout: Path, target: str) -> list[str]:
    """The commands ``make target`` would run, one per line."""
    done = subprocess.run(["make", "-n", "--no-print-directory", target, "PYTHON=python3"],
                          cwd=checkout, capture_output=True, text=True, timeout=30, check=True,
                          env={"PATH": "/usr/bin:/bin"})
    return [line for line in done.stdout.splitlines() if line.strip()]


def installs(commands: list[str]) -> list[str]:
    return [command for command in commands if "pip install" in command]


def test_make_serve_on_a_fresh_clone_installs_mockplex_and_its_proxy_extra_only(checkout):
    commands = dry_run(checkout, "serve")
    assert [re.search(r"-e '(\S+)'", command).group(1)  # type: ignore[union-attr]
            for command in installs(commands)] == [".[proxy]"]
    assert not any("test" in command or "lint" in command for command in installs(commands))
    assert commands[-1].endswith("mockplex serve --port 32500")


def test_make_test_after_make_serve_installs_the_rest_and_make_serve_after_it_nothing(
        checkout):
    (checkout / ".venv").mkdir()
    (checkout / ".venv" / ".installed-serve").touch()  # make serve was run
    assert installs(dry_run(checkout, "serve")) == []
    rest = dry_run(checkout, ".venv/.installed")  # make test's stamp
    assert any("-e '.[test,lint,proxy]'" in command for command in installs(rest))
    assert any(".venv/.installed-serve" in command and command.startswith("touch")
               for command in rest)  # marks serve's stamp too
    (checkout / ".venv" / ".installed").touch()
    (checkout / ".venv" / ".installed-serve").touch()
    assert dry_run(checkout, "serve") == [".venv/bin/mockplex serve --port 32500"]


def test_the_install_line_names_each_extra():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    extras = set(config["options.extras_require"])
    readme = (ROOT / "README.md").read_text()
    assert "pip install 'mockplex[proxy]'" in readme
    install = readme.split("pip install", 1)[1].split("## ", 1)[0]
    assert extras == {"proxy", "test", "lint", "bench"}  # a new one: say what it adds
    assert all(f"`{extra}`" in install for extra in extras)

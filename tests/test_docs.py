"""Every example in README.md and docs/*.md, run as written.

- python blocks: each is a test module of its own, run by a pytest of its own (those
  starting ``# needs plex-api-client 0.36`` in the environment that has that release);
- sh blocks: the README's quick start; every ``mockplex serve ...`` line starts a server
  with those options; a script that uses ``MOCKPLEX_URL`` runs whole against one;
- json blocks: scenario files, laid down in a store;
- links between the documents point at files and headings that exist.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mockplex import Store
from mockplex.control.scenario import load

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SDK036 = Path(sys.prefix) / "plex-api-client-0.36"
NEEDS_SDK036 = "# needs plex-api-client 0.36"


def blocks(language: str, docs: list[Path] = DOCS) -> list[tuple[str, str]]:
    """(document name, block) for every fenced block in ``language``."""
    return [(doc.name, block) for doc in docs
            for block in re.findall(rf"```{language}\n(.*?)```", doc.read_text(), re.S)]


def test_the_quick_start_is_make_serve_and_make_test():
    [(_, quick_start), *_] = blocks("sh", [ROOT / "README.md"])
    assert quick_start.splitlines()[:2] == [
        "make serve   # the fake plex.tv on http://127.0.0.1:32500 (sets itself up first)",
        "make test    # creates .venv, installs everything, runs the whole suite"]


@pytest.mark.parametrize("sdk036", [False, True], ids=["main", "plex-api-client-0.36"])
def test_the_python_examples_pass(run_pytest, pytester, monkeypatch, sdk036):
    """Every python block, each as its own test module (one pytest run per environment)."""
    examples = {f"test_{Path(doc).stem.lower()}_{number}": block
                for number, (doc, block) in enumerate(blocks("python"))
                if block.startswith(NEEDS_SDK036) == sdk036}
    assert examples
    if sdk036:
        monkeypatch.setenv("PYTHONPATH", str(SDK036))
    pytester.makepyfile(**examples)
    result = run_pytest()
    tests = sum(len(re.findall(r"^def test_", block, re.M)) for block in examples.values())
    result.assert_outcomes(passed=tests)


SERVE_LINES = [line.split("#")[0].strip() for _, block in blocks("sh")
               if "MOCKPLEX_URL" not in block  # a script, run whole below
               for line in block.splitlines() if line.startswith("mockplex serve ")]


@pytest.mark.parametrize("line", SERVE_LINES)
def test_each_serve_command_starts_a_server(serve, line, tmp_path):
    args = shlex.split(line)[2:]
    for option in ("--port", "--proxy-port", "--tls-port"):  # free ports only
        if option in args:
            args[args.index(option) + 1] = "0"
    if "--env-file" in args:  # written here, not in the checkout
        args[args.index("--env-file") + 1] = str(tmp_path / "mock.env")
    if {"--proxy-port", "--tls-port"} & set(args) and "--ca-dir" not in args:
        args += ["--ca-dir", str(tmp_path / "ca")]  # not the user's cache folder
    proc, url = serve(*args, "--port", "0")
    assert proc.poll() is None and url.startswith("http://127.0.0.1:")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("script", [block for _, block in blocks("sh") if "MOCKPLEX_URL" in block])
def test_the_ci_example_runs(tmp_path, script):
    env = dict(os.environ, MOCKPLEX_PORT=str(free_port()),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"authToken":"MockPlexDefaultToken"' in result.stdout


def test_the_scenario_example_loads():
    [(_, example)] = blocks("json")
    store = Store()
    load(store, json.loads(example))
    assert [a.username for a in store.accounts()] == ["mockplex", "alice", "bob"]
    assert len(store.pins()) == 3  # the expired one is gone
    [server] = store.servers()
    [(friend, _)] = store.friends(store.account("bob"))
    assert (server.owner, friend.username) == ("alice", "alice")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


LINKS = [(doc, target) for doc in DOCS
         for target in re.findall(r"\]\(([^)#\s]*(?:#[^)\s]*)?)\)", doc.read_text())
         if not target.startswith(("http://", "https://"))]


@pytest.mark.parametrize(("doc", "target"), LINKS,
                         ids=[f"{doc.name}->{target}" for doc, target in LINKS])
def test_links_between_documents_resolve(doc, target):
    path, _, fragment = target.partition("#")
    linked = (doc.parent / path).resolve() if path else doc
    assert linked.is_file(), f"{doc.name} links to {target}, which is not a file"
    assert ROOT in linked.parents, f"{doc.name} links outside the repository: {target}"
    if fragment:
        headings = re.findall(r"^#+ (.+)$", linked.read_text(), re.M)
        assert fragment in {anchor(heading) for heading in headings}, (
            f"{doc.name} links to #{fragment}, not a heading of {linked.name}")


@pytest.mark.parametrize("doc", DOCS, ids=[doc.name for doc in DOCS])
def test_no_document_names_a_machines_folders(doc):
    """docs/benchmarks.md is written on some machine; no reader has its folders."""
    found = re.findall(r"(?:/work/|/root/|/home/|/tmp/|site-packages|\.\./shared)[^\s)`]*",
                       doc.read_text())
    assert found == []


def test_the_changelog_names_this_version_first():
    """Its newest release is this version (changes not yet released stand above it)."""
    import mockplex

    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    released = [heading for heading in headings if heading != "Unreleased"]
    assert headings.index(released[0]) <= 1 and released[0] == mockplex.__version__

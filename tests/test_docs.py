"""Every example in README.md and docs/*.md, run as written.

A fenced block's language says what it is, and what runs it:

- python: each is a test module of its own, run by a pytest of its own (those starting
  ``# needs plex-api-client 0.36`` in the environment that has that release);
- sh and bash: a recipe, run whole by tests/test_recipes.py, which must pass; yaml: a
  GitHub Actions workflow, whose ``run:`` steps tests/test_recipes.py runs;
- console: commands shown, not run (installs, ``make``, a server that runs until
  stopped): the README's quick start; every ``mockplex serve ...`` line starts a server
  with those options;
- json blocks: scenario files, laid down in a store;
- none: output, or a picture in text.

Also: links between the documents point at files and headings that exist, a
``mockplex ca`` beside a ``--ca-dir`` names that folder too, and ci.md's exit statuses
of ``mockplex run`` are those its ``--help`` gives.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockplex import Store
from mockplex.control.scenario import load

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SDK036 = Path(sys.prefix) / "plex-api-client-0.36"
NEEDS_SDK036 = "# needs plex-api-client 0.36"


LANGUAGES = {"python", "sh", "bash", "yaml", "console", "json", ""}


@dataclass(frozen=True)
class Block:
    """A fenced block: its document, the line of its opening fence, its language."""

    doc: Path
    line: int
    language: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.doc.name}:{self.line}"


def fenced(docs: list[Path] = DOCS) -> list[Block]:
    """Every fenced block (```language ... ```) of ``docs``, in order."""
    found = []
    for doc in docs:
        opened: tuple[int, str] | None = None
        lines: list[str] = []
        for number, line in enumerate(doc.read_text().splitlines(keepends=True), 1):
            if opened is None and line.startswith("```"):
                opened, lines = (number, line[3:].strip()), []
            elif opened is not None and line.rstrip() == "```":
                found.append(Block(doc, opened[0], opened[1], "".join(lines)))
                opened = None
            elif opened is not None:
                lines.append(line)
        assert opened is None, f"{doc.name}:{opened[0]}: a fence that is never closed"
    return found


def blocks(language: str, docs: list[Path] = DOCS) -> list[tuple[str, str]]:
    """(document name, block) for every fenced block in ``language``."""
    return [(block.doc.name, block.text) for block in fenced(docs)
            if block.language == language]


def test_every_block_is_in_a_language_the_suite_knows():
    """So that none escapes its check: a ```shell recipe would be run by nothing."""
    unknown = [f"{block.where}: {block.language}" for block in fenced()
               if block.language not in LANGUAGES]
    assert unknown == []


def test_the_quick_start_is_make_serve_and_make_test():
    [(_, quick_start), *_] = blocks("console", [ROOT / "README.md"])
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


SERVE_LINES = [line.split("#")[0].strip() for _, block in blocks("console")
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


def test_the_scenario_example_loads():
    [(_, example)] = blocks("json")
    store = Store()
    load(store, json.loads(example))
    assert [a.username for a in store.accounts()] == ["mockplex", "alice", "bob", "carol",
                                                      "kid"]
    assert len(store.pins()) == 3  # the expired one is gone
    [server] = store.servers()
    [(friend, _)] = store.friends(store.account("bob"))
    assert (server.owner, friend.username) == ("alice", "alice")
    assert [share.sections for share in store.shares()] == [(1,)]
    assert [(i.server, i.user) for i in store.invites()] == [(server.name, "carol")]
    assert store.account("kid").home_of == "alice"


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


#: A machine's folder: a path whose first part is one (plex.tv's /api/home/users is no
#: folder: /home/ is not its first part), or an installed package's or a sibling's.
MACHINE_FOLDER = (r"(?<![\w.~/-])(?:/work/|/root/|/home/|/tmp/)[^\s)`]*"
                  r"|(?:site-packages|\.\./shared)[^\s)`]*")


READ = [*DOCS, ROOT / "CHANGELOG.md"]  # every document a reader of the clone reads


@pytest.mark.parametrize("doc", READ, ids=[doc.name for doc in READ])
def test_no_document_names_a_machines_folders(doc):
    """docs/benchmarks.md is written on some machine; no reader has its folders."""
    found = re.findall(MACHINE_FOLDER, doc.read_text())
    assert found == []


@pytest.mark.parametrize(("text", "found"), [
    ("see /work/i23/x.py", True), ("(`/home/me/.cache`)", True), ("/tmp/x", True),
    ("lib/python3/site-packages/x", True), ("../shared/STYLE.md", True),
    ("`POST /api/home/users`", False), ("https://plex.tv/api/home/users/1", False),
    ("a/home/b", False), ("~/home/x", False),
])
def test_the_folder_check_tells_folders_from_routes(text, found):
    """The check above, on what it must find and what it must let be."""
    assert bool(re.findall(MACHINE_FOLDER, text)) is found


def test_the_changelog_names_this_version_first():
    """Its newest release is this version (changes not yet released stand above it)."""
    import mockplex

    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    released = [heading for heading in headings if heading != "Unreleased"]
    assert headings.index(released[0]) <= 1 and released[0] == mockplex.__version__


def sections(doc: Path) -> list[str]:
    """The document cut at its headings (outside fenced blocks too: a block's ``#`` lines
    are comments, not headings, but cutting there only makes the pieces smaller)."""
    return re.split(r"^#+ ", doc.read_text(), flags=re.M)


@pytest.mark.parametrize("doc", DOCS, ids=[doc.name for doc in DOCS])
def test_mockplex_ca_names_the_ca_dir_wherever_one_is_used(doc):
    """``$(mockplex ca)`` prints the default CA's path: beside a server started with
    ``--ca-dir DIR`` it is another CA than the one the server signs with."""
    found = [section.splitlines()[0] for section in sections(doc) if "--ca-dir" in section
             and re.search(r"mockplex ca(?![\w-])(?!\s+\[?--ca-dir)", section)]
    assert found == [], f"sections that use --ca-dir, with a bare `mockplex ca`: {found}"


def test_ci_md_gives_the_exit_statuses_mockplex_run_help_gives():
    """docs/ci.md's table of ``mockplex run``'s exit statuses, against its ``--help``."""
    done = subprocess.run([sys.executable, "-m", "mockplex", "run", "--help"],
                          capture_output=True, text=True, check=True)
    listed = done.stdout.split("\nExit status:\n")[1]
    helped = re.findall(r"^  (CMD's own|128\+N|\d+(?:, \d+)?) ", listed, re.M)
    table = (ROOT / "docs" / "ci.md").read_text().split("| exit status | when |")[1]
    section = table.split("\n\n")[0]
    documented = re.findall(r"^\| ([^|]+?) \|", section, re.M)
    assert documented == helped

"""Every shell recipe in README.md and docs/*.md, run as written.

Which blocks run (tests/test_docs.py holds every block to one of its languages):

- ```sh and ```bash: a recipe, run whole; it must pass.
- ```yaml holding a GitHub Actions workflow (``jobs:``): each job's ``run:`` steps, in
  order, each in a shell of its own, as the runner runs them: a failed step skips the
  rest but those marked ``if: always()``, and ``$GITHUB_ENV`` carries variables on.
  Skipped, as the runner's part: ``uses:`` steps (checkout, setup-python,
  upload-artifact) and the step that runs ``pip install`` (here mockplex is this
  checkout's, in .venv).
- ```console: commands shown, not run (installs, ``make``, a server that runs until
  stopped); tests/test_docs.py starts a server with each ``mockplex serve`` line in one.

A recipe runs in ``bash`` with no options, as pasted (one that needs ``set -e`` to fail
on a failed check says so itself), and a workflow's step in the runner's ``bash
--noprofile --norc -eo pipefail``; each in a folder of its own that holds a file, as a
checkout does (a stray ``*`` matches it), with .venv/bin first on PATH, a HOME and
XDG_CACHE_HOME of its own (a CA is made there, not in the user's home), no MOCKPLEX_
variable from outside, and every proxy variable pointing at a closed port on loopback: a
client the recipe forgot to point at the mock fails instead of leaving the machine. It
runs in a session of its own, for RECIPE_TIMEOUT seconds at most, and must leave no
process behind: a mock still running when its recipe has ended (``kill %1`` without
``wait``) has not yet given its ``--strict`` verdict, nor finished its HAR file.

Where a recipe stands for the app, it runs a real command (curl, ``python3 -c``), and
its prose says so. Each recipe that starts mockplex passes ``--strict``, and runs twice
more against a ``mockplex`` first on PATH that wraps the real one (SHIM):

- ``unemulated``: asked for a route it does not emulate as soon as it listens: the
  recipe must fail and print the verdict;
- ``cannot-start``: it exits at once with a message, as with a port taken: the recipe
  must fail, print that message, and not wait out its bound (READY_BOUND).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.test_docs import fenced

BIN = Path(sys.executable).parent  # .venv/bin: mockplex, python3
RECIPE_TIMEOUT = 60  # seconds for a whole recipe or job
READY_BOUND = 10  # seconds: a recipe meeting a mock that cannot start fails sooner
# A recipe runs in bash as a person pastes it (no options: what it needs, it sets, as a
# failed check must fail it); a workflow's run: step as GitHub's runner runs it.
AS_PASTED = ("bash", "-c")
AS_A_STEP = ("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c")
STARTS_MOCKPLEX = re.compile(r"(?:^|[\s;&|(])mockplex (?:serve|run)\b", re.M)
UNEMULATED = "/api/v2/route-mockplex-does-not-emulate"
CANNOT_START = "mockplex: cannot listen: the port is taken (test_recipes.py's cannot-start)"
# Variables from the outside that would change what a recipe does.
OUTSIDE = re.compile(r"MOCKPLEX_.*|GITHUB_.*|(?i:(?:https?|all|no)_proxy)|SSL_CERT_FILE|"
                     r"REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|NODE_EXTRA_CA_CERTS|NODE_OPTIONS|"
                     r"NODE_USE_ENV_PROXY")

# ``mockplex``, wrapped (RECIPE_SABOTAGE says how; RECIPE_MOCKPLEX is the real one),
# after lines that set UNEMULATED and CANNOT_START.
SHIM = '''
import os, signal, subprocess, sys, urllib.error, urllib.request

REAL, MODE = os.environ["RECIPE_MOCKPLEX"], os.environ["RECIPE_SABOTAGE"]
args = sys.argv[1:]


def unemulated(url):
    """A request for a route the mock does not emulate: --strict must report it."""
    try:  # straight there, whatever proxy the environment names
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + UNEMULATED)
    except urllib.error.HTTPError:
        pass


if args[:1] == ["--then"]:  # the command mockplex run runs: the request, then CMD
    unemulated(os.environ["MOCKPLEX_URL"])
    os.execvp(args[1], args[1:])
if args[:1] not in (["serve"], ["run"]):
    os.execv(REAL, [REAL, *args])
if MODE == "cannot-start":
    print(CANNOT_START, file=sys.stderr)
    sys.exit(1 if args[0] == "serve" else 2)
if args[0] == "run":
    if "--" in args:
        end = args.index("--")
        args[end + 1:end + 1] = [sys.argv[0], "--then"]
    os.execv(REAL, [REAL, *args])
child = subprocess.Popen([REAL, *args], stdout=subprocess.PIPE)
for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, lambda signum, frame: child.send_signal(signum))
for line in child.stdout:
    if line.startswith(b"mockplex listening on "):
        unemulated(line.split()[-1].decode())  # before the recipe reads the line
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()
sys.exit(child.wait())
'''


@dataclass(frozen=True)
class Step:
    script: str
    always: bool = False  # runs after a failed step too (``if: always()``)
    shell: tuple[str, ...] = AS_PASTED


@dataclass(frozen=True)
class Recipe:
    where: str  # document:line, and the job of a workflow
    steps: tuple[Step, ...]

    @property
    def text(self) -> str:
        return "\n".join(step.script for step in self.steps)


def is_setup(step: dict) -> bool:
    """The runner's part of a job, which a machine running the suite has done already."""
    return "uses" in step or str(step.get("run", "")).lstrip().startswith("pip install")


def recipes() -> list[Recipe]:
    found = []
    for block in fenced():
        if block.language in ("sh", "bash"):
            found.append(Recipe(block.where, (Step(block.text),)))
        elif block.language == "yaml":  # a workflow, or not one (no jobs)
            workflow = yaml.safe_load(block.text) or {}
            for name, job in workflow.get("jobs", {}).items():
                steps = tuple(Step(step["run"], "always()" in str(step.get("if", "")),
                                   AS_A_STEP)
                              for step in job["steps"] if not is_setup(step))
                found.append(Recipe(f"{block.where} {name}", steps))
    return found


RECIPES = recipes()
MOCKS = [recipe for recipe in RECIPES if STARTS_MOCKPLEX.search(recipe.text)]


@dataclass
class Done:
    passed: bool
    output: str
    seconds: float
    left: list[str]  # processes still running when it ended


def members(group: int) -> list[str]:
    """The live processes of a process group (zombies aside): their command lines."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue  # it ended meanwhile
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace").strip())
    return found


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens, for as long as the test runs."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture
def run_recipe(tmp_path, closed_port):
    """``run_recipe(recipe, sabotage=None)``: its steps, as the module docstring says."""
    groups: list[int] = []

    def run(recipe: Recipe, sabotage: str | None = None) -> Done:
        work, home = tmp_path / "work", tmp_path / "home"
        work.mkdir()
        home.mkdir()
        (work / "README.md").touch()  # not empty, as a checkout is not: a stray * matches
        path = [str(BIN), os.environ["PATH"]]
        env = {key: value for key, value in os.environ.items() if not OUTSIDE.fullmatch(key)}
        if sabotage:
            shim = tmp_path / "shim" / "mockplex"
            shim.parent.mkdir()
            shim.write_text(f"#!{sys.executable}\nUNEMULATED = {UNEMULATED!r}\n"
                            f"CANNOT_START = {CANNOT_START!r}\n{SHIM}")
            shim.chmod(0o755)
            path.insert(0, str(shim.parent))
            env.update(RECIPE_SABOTAGE=sabotage, RECIPE_MOCKPLEX=str(BIN / "mockplex"))
        nowhere = f"http://127.0.0.1:{closed_port}"
        github_env = tmp_path / "github.env"
        github_env.touch()
        env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
                   PATH=os.pathsep.join(path), GITHUB_ENV=str(github_env),
                   GITHUB_WORKSPACE=str(work), **dict.fromkeys(
                       ["http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY",
                        "HTTPS_PROXY", "ALL_PROXY"], nowhere),
                   no_proxy="localhost,127.0.0.1,::1", NO_PROXY="localhost,127.0.0.1,::1")
        output, passed, started = [], True, time.monotonic()
        for number, step in enumerate(recipe.steps):
            if not (passed or step.always):
                continue
            env.update(line.split("=", 1) for line in github_env.read_text().splitlines()
                       if "=" in line)
            log = tmp_path / f"step{number}.log"
            with log.open("w") as out:
                proc = subprocess.Popen([*step.shell, step.script], cwd=work, env=env,
                                        stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
            groups.append(proc.pid)
            try:
                status = proc.wait(RECIPE_TIMEOUT - (time.monotonic() - started))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                status = proc.wait()
                output.append(f"[timed out after {RECIPE_TIMEOUT} s]\n")
            output.append(log.read_text())
            passed = passed and status == 0
        seconds = time.monotonic() - started
        left = [member for group in groups for member in members(group)]
        return Done(passed, "".join(output), seconds, left)

    yield run
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def ids(recipes: list[Recipe]) -> list[str]:
    return [recipe.where for recipe in recipes]


def test_the_docs_have_recipes_of_each_kind():
    """What this file runs is found: the recipes and both GitHub Actions jobs of ci.md."""
    where = ids(RECIPES)
    assert sum(name.startswith("ci.md") and " " in name for name in where) == 2  # jobs
    assert any(name.startswith("proxy.md") for name in where)
    assert all(recipe.steps for recipe in RECIPES)
    assert len(CHECKED) >= 2  # the long-lived server's, in ci.md and in proxy.md


@pytest.mark.parametrize("recipe", RECIPES, ids=ids(RECIPES))
def test_the_recipe_passes_as_written(run_recipe, recipe, tmp_path):
    """And, with the mock stopped, its HAR file is whole: a valid one, with the requests."""
    done = run_recipe(recipe)
    assert done.passed, done.output
    assert done.left == [], f"still running when the recipe ended: {done.left}"
    for har in re.findall(r"--har[ =](\S+)", recipe.text):
        entries = json.loads((tmp_path / "work" / har).read_text())["log"]["entries"]
        assert entries[0]["request"]["method"] == "POST"  # the app's pin
        assert entries[-1]["response"]["status"] == 200  # its last call, answered


@pytest.mark.parametrize("recipe", MOCKS, ids=ids(MOCKS))
def test_the_recipe_fails_when_the_mock_saw_a_route_it_does_not_emulate(run_recipe, recipe):
    """--strict's verdict reaches the recipe's status and its output."""
    assert "--strict" in recipe.text, "a recipe for CI starts mockplex with --strict"
    done = run_recipe(recipe, sabotage="unemulated")
    assert not done.passed, done.output
    assert f"GET {UNEMULATED}: mockplex does not emulate this plex.tv route" in done.output
    assert done.left == [], f"still running when the recipe ended: {done.left}"


@pytest.mark.parametrize("recipe", MOCKS, ids=ids(MOCKS))
def test_the_recipe_fails_at_once_when_the_mock_cannot_start(run_recipe, recipe):
    """Not after a wait of its own, not forever, not against another server."""
    done = run_recipe(recipe, sabotage="cannot-start")
    assert not done.passed, done.output
    assert CANNOT_START in done.output
    assert done.seconds < READY_BOUND, f"failed after {done.seconds:.1f} s"


#: The recipes with checks of their own (a ``grep -q`` of what the app got).
CHECKED = [recipe for recipe in RECIPES if len(recipe.steps) == 1
           and re.search(r"^\s*grep -q ", recipe.text, re.M)]


@pytest.mark.parametrize("recipe", CHECKED, ids=ids(CHECKED))
def test_the_recipe_fails_when_its_own_check_fails_and_stops_the_mock(run_recipe, recipe):
    """A check that finds nothing fails the recipe (not the server's status alone), and
    no mock is left running after it."""
    broken = re.sub(r"^(\s*grep -q )'[^']*'", r"\1'not-in-the-answer'", recipe.text,
                    flags=re.M)
    assert broken != recipe.text
    done = run_recipe(Recipe(recipe.where, (Step(broken, shell=recipe.steps[0].shell),)))
    assert not done.passed, done.output
    assert done.left == [], f"still running when the recipe ended: {done.left}"

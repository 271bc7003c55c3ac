"""The package costs nothing until used: importing it, or the pytest plugin that pytest
loads in every run, imports no web framework, schema or HTTP library; interception
imports the clients it patches only when it starts, and needs no library of its own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mockplex

HEAVY = ("flask", "werkzeug", "waitress", "marshmallow", "apispec", "segno", "requests",
         "responses", "httpx", "respx", "aiohttp")


def imported_after(code: str) -> list[str]:
    """The heavy top-level packages a fresh interpreter has imported after ``code``."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & "
             f"set({HEAVY!r}))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    return json.loads(result.stdout)


@pytest.mark.parametrize("code", ["import mockplex", "import mockplex.plugin",
                                  "import mockplex.cli"])
def test_importing_loads_no_heavy_library(code):
    assert imported_after(code) == []


def test_a_public_name_loads_its_module_when_first_used():
    assert imported_after("import mockplex; mockplex.Store()") == []
    assert "flask" in imported_after("import mockplex; mockplex.create_app")


def test_the_app_defers_its_schemas_until_a_request_needs_them():
    code = "import mockplex; app = mockplex.create_app()"
    assert "marshmallow" not in imported_after(code)
    answered = (code + "\napp.test_client().post('/api/v2/pins', "
                       "headers={'X-Plex-Client-Identifier': 'x'})")
    assert "marshmallow" in imported_after(answered)


def test_every_public_name_resolves():
    assert sorted(mockplex.__all__) == sorted(mockplex._HOMES)
    for name in mockplex.__all__:
        assert getattr(mockplex, name) is not None
    assert set(mockplex.__all__) <= set(dir(mockplex))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mockplex.nothing  # noqa: B018


def test_intercept_stays_the_function_once_its_module_is_imported():
    import mockplex.handle
    import mockplex.interception.stack  # the module of the stack: no name to shadow

    assert mockplex.intercept is mockplex.handle.intercept
    assert callable(mockplex.intercept) and not isinstance(mockplex.intercept, type(sys))


def test_interception_imports_a_client_only_when_it_starts():
    assert imported_after("import mockplex; mockplex.intercept()") == ["flask", "marshmallow",
                                                                      "waitress", "werkzeug"]
    started = imported_after("import mockplex; mockplex.intercept().start()")
    assert {"requests", "httpx", "aiohttp"} <= set(started)
    assert not {"responses", "respx"} & set(started)


def test_interception_with_no_client_installed_says_what_it_needs():
    code = ("import sys\n"
            "for name in ('requests', 'httpx', 'aiohttp'):\n"
            "    sys.modules[name] = None  # as if it were not installed\n"
            "import mockplex\n"
            "try:\n    mockplex.intercept().start()\n"
            "except RuntimeError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert "intercepts requests, httpx and aiohttp, and none of them is installed" in (
        result.stdout)

"""The core install: the package data, the plugin, the server and the pages."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

import mockplex

CLIENT = {"X-Plex-Client-Identifier": "smoke", "Accept": "application/json"}


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers.get_content_type(), response.read()


def test_mockplex_comes_from_the_installed_wheel():
    installed = Path(mockplex.__file__).resolve()
    assert Path(sys.prefix).resolve() in installed.parents
    assert "site-packages" in installed.parts
    assert importlib.metadata.version("mockplex") == mockplex.__version__


def test_the_package_data_is_installed():
    package = Path(mockplex.__file__).parent
    for name in ("py.typed", "templates/base.html", "templates/auth.html",
                 "templates/link.html", "static/mockplex.css", "static/mockplex.js"):
        assert (package / name).is_file(), name


def test_the_fixture_serves_a_pin(mockplex):
    request = urllib.request.Request(mockplex.url + "/api/v2/pins", method="POST",
                                     headers=CLIENT)
    with urllib.request.urlopen(request, timeout=10) as response:
        pin = json.load(response)
    assert response.status == 201 and len(pin["code"]) == 4
    assert mockplex.verify(pin["id"]) == mockplex.default_user.auth_token


def test_the_plugin_is_registered_by_its_entry_point(pytester):
    pytester.makepyfile("def test_it(mockplex):\n"
                        "    assert mockplex.url.startswith('http://127.0.0.1:')\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "mockplex" in result.stdout.str()  # pytest's plugin list


def test_serve_answers_plex_tv_in_xml(served):
    status, kind, body = fetch(served + "/api/v2/pins", "POST",
                               {"X-Plex-Client-Identifier": "smoke"})
    assert (status, kind) == (201, "application/xml") and body.startswith(b"<?xml")


def test_the_approval_page_and_its_static_files(served):
    status, kind, page = fetch(served + "/auth")
    assert (status, kind) == (200, "text/html")
    assets = re.findall(r'(?:href|src)="(/_mockplex/static/[^"]+)"', page.decode())
    assert sorted(Path(asset).name for asset in assets) == ["mockplex.css", "mockplex.js"]
    for asset in assets:
        status, _, content = fetch(served + asset)
        assert status == 200 and content


def test_the_qr_code_and_the_openapi_document(served):
    _, _, body = fetch(served + "/api/v2/pins.json", "POST", CLIENT)
    code = json.loads(body)["code"]
    status, kind, png = fetch(f"{served}/api/v2/pins/qr/{code}")
    assert (status, kind) == (200, "image/png") and png.startswith(b"\x89PNG")
    status, _, document = fetch(served + "/_mockplex/openapi.json")
    assert status == 200 and json.loads(document)["info"]["title"] == "mockplex"


def test_the_sdist_holds_the_sources_docs_and_tests():
    [sdist] = Path(os.environ["MOCKPLEX_DIST"]).glob("mockplex-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in ("setup.cfg", "pyproject.toml", "README.md", "CHANGELOG.md", "Makefile",
                 "mockplex/templates/auth.html", "mockplex/static/mockplex.js",
                 "docs/contract.md", "fixtures/scenario.json", "tests/plextv/test_contract.py",
                 "tests/smoke/test_core.py"):
        assert name in names, name

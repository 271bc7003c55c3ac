"""The journal as a HAR 1.2 file: `mockplex serve --har` (complete after SIGTERM,
readable while it runs) and the plugin's `--mockplex-har`, validated against the HAR 1.2
JSON schemas of the npm package har-schema (`make test` installs it; locally the
validation skips without npm, in CI it fails)."""

from __future__ import annotations

import base64
import json
import signal
import threading
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import requests
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from mockplex import Store, create_app, store_of
from mockplex.control import har
from mockplex.control.har import HarWriter
from mockplex.domain.faults import Fault
from mockplex.plugin import worker_path
from mockplex.web.traffic import DropConnection
from tests.conftest import require
from tests.values import HEADERS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / ".venv" / "node" / "har" / "node_modules" / "har-schema" / "lib"
TIMEOUT = 10


def validate(document: dict) -> None:
    """Raise unless ``document`` is a HAR 1.2 file, by the har-schema package's schemas."""
    require(f"HAR schemas at {SCHEMAS} (make test installs har-schema with npm)",
            not SCHEMAS.is_dir())
    schemas = [json.loads(path.read_text()) for path in SCHEMAS.glob("*.json")]
    registry = Registry().with_resources(
        (schema["$id"].rstrip("#"), Resource.from_contents(schema, DRAFT6))
        for schema in schemas)
    [root] = [schema for schema in schemas if schema["$id"] == "har.json#"]
    jsonschema.Draft6Validator(root, registry=registry).validate(document)


def wait_for_entries(path: Path, count: int) -> dict:
    """The file once it holds ``count`` entries (it is rewritten within a second)."""
    done = threading.Event()
    for _ in range(TIMEOUT * 20):
        document = json.loads(path.read_text())
        if len(document["log"]["entries"]) >= count:
            return document
        done.wait(0.05)
    raise AssertionError(f"{path} did not reach {count} entries: {document}")


def test_serve_keeps_a_har_file_readable_while_running_and_complete_after_sigterm(
        serve, tmp_path):
    har = tmp_path / "mock.har"
    proc, url = serve("--port", "0", "--har", str(har))
    assert json.loads(har.read_text())["log"]["entries"] == []  # valid from the start
    pin = requests.post(url + "/api/v2/pins?strong=true", headers={
        **HEADERS, "Accept": "application/json"}, timeout=5).json()
    wait_for_entries(har, 1)  # readable while it runs
    requests.get(f"{url}/api/v2/pins/{pin['id']}", headers=HEADERS, timeout=5)
    requests.get(f"{url}/api/v2/pins/qr/{pin['code']}", timeout=5)
    requests.get(f"{url}/api/v2/friends", headers=HEADERS, timeout=5)  # not emulated
    requests.put(f"{url}/api/v2/pins/link", data={"code": "NOPE"}, headers={
        **HEADERS, "X-Plex-Token": "MockPlexDefaultToken"}, timeout=5)
    journal = requests.get(url + "/_mockplex/requests", timeout=5).json()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0

    document = json.loads(har.read_text())
    validate(document)
    entries = document["log"]["entries"]
    assert [(entry["request"]["method"], entry["request"]["url"].split("?")[0])
            for entry in entries] == [(entry["method"], url + entry["path"])
                                      for entry in journal]
    created, polled, qr, friends, link = entries
    assert created["request"]["queryString"] == [{"name": "strong", "value": "true"}]
    assert {"name": "X-Plex-Client-Identifier", "value": HEADERS["X-Plex-Client-Identifier"]
            } in created["request"]["headers"]
    assert created["response"]["status"] == 201
    assert json.loads(created["response"]["content"]["text"])["code"] == pin["code"]
    assert polled["response"]["content"]["mimeType"].startswith("application/xml")
    assert qr["response"]["content"]["mimeType"] == "image/png"
    assert base64.b64decode(qr["response"]["content"]["text"]).startswith(b"\x89PNG")
    assert (friends["response"]["status"], friends["_matched"]) == (404, False)
    assert link["request"]["postData"] == {
        "mimeType": "application/x-www-form-urlencoded", "text": "code=NOPE"}
    assert document["log"]["creator"]["name"] == "mockplex"


def test_a_dropped_request_is_status_0_and_the_file_still_validates(tmp_path):
    store = Store()
    app = create_app(store=store)
    with HarWriter(tmp_path / "x.har", store.journal):
        store.faults.add(Fault(path="/api/v2/pins", drop=True))
        with pytest.raises(DropConnection):
            app.test_client().post("/api/v2/pins", headers=HEADERS)
    [entry] = json.loads((tmp_path / "x.har").read_text())["log"]["entries"]
    assert (entry["response"]["status"], entry["_fault"]) == (0, True)
    validate(json.loads((tmp_path / "x.har").read_text()))


def test_the_file_keeps_requests_across_a_reset(tmp_path):
    app = create_app()
    client = app.test_client()
    with HarWriter(tmp_path / "x.har", store_of(app).journal):
        client.post("/api/v2/pins", headers=HEADERS)
        client.post("/_mockplex/reset")
        client.post("/api/v2/pins", headers=HEADERS)
    entries = json.loads((tmp_path / "x.har").read_text())["log"]["entries"]
    assert [entry["request"]["method"] for entry in entries] == ["POST", "POST"]


def test_past_its_limit_the_file_says_how_many_were_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(har, "HAR_LIMIT", 3)
    app = create_app()
    with HarWriter(tmp_path / "x.har", store_of(app).journal):
        for _ in range(5):
            app.test_client().post("/api/v2/pins", headers=HEADERS)
    log = json.loads((tmp_path / "x.har").read_text())["log"]
    assert len(log["entries"]) == 3 and "oldest 2 entries were left out" in log["comment"]


def test_the_plugin_option_writes_the_sessions_har(run_pytest, pytester):
    pytester.makepyfile('''
import requests


def test_one(mockplex):
    requests.post(mockplex.url + "/api/v2/pins",
                  headers={"X-Plex-Client-Identifier": "har-user"}, timeout=5)


def test_two(mockplex):
    requests.post(mockplex.url + "/api/v2/pins",
                  headers={"X-Plex-Client-Identifier": "har-user"}, timeout=5)
''')
    run_pytest("--mockplex-har", "session.har").assert_outcomes(passed=2)
    document = json.loads((pytester.path / "session.har").read_text())
    validate(document)
    assert len(document["log"]["entries"]) == 2  # both tests, across the reset between


def test_under_xdist_each_worker_names_its_own_file():
    worker = SimpleNamespace(workerinput={"workerid": "gw3"})  # what xdist gives a worker
    assert worker_path(worker, "out/session.har") == Path("out/session-gw3.har")
    assert worker_path(SimpleNamespace(), "out/session.har") == Path("out/session.har")

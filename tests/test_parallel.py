"""Parallel runs: under pytest-xdist every worker has its own server and state."""

from __future__ import annotations

import json


def test_each_xdist_worker_has_its_own_server_and_no_cross_talk(run_pytest, pytester, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setenv("SEEN_DIR", str(tmp_path))
    pytester.makepyfile(test_many='''
import json
import os

import pytest
import requests

HEADERS = {"X-Plex-Client-Identifier": "xdist", "Accept": "application/json"}


@pytest.mark.parametrize("number", range(8))
def test_only_my_pins(mockplex, number):
    for _ in range(number + 1):
        requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5)
    assert len(mockplex.pins) == number + 1
    assert len(mockplex.requests) == number + 1
    worker = os.environ["PYTEST_XDIST_WORKER"]
    seen = os.path.join(os.environ["SEEN_DIR"], f"seen-{worker}-{number}.json")
    with open(seen, "w") as file:
        json.dump([worker, mockplex.url], file)
''')
    result = run_pytest("-n", "2")
    result.assert_outcomes(passed=8)
    seen = [json.loads(path.read_text()) for path in tmp_path.glob("seen-*.json")]
    assert len(seen) == 8
    urls_by_worker: dict[str, set[str]] = {}
    for worker, url in seen:
        urls_by_worker.setdefault(worker, set()).add(url)
    assert len(urls_by_worker) == 2, urls_by_worker
    assert all(len(urls) == 1 for urls in urls_by_worker.values())
    assert len(set.union(*urls_by_worker.values())) == 2

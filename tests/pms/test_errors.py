"""Every error of a fake server is the server's own bare HTML page, never a traceback
and never plex.tv's JSON; bad input is a 4xx and the server keeps serving; a bug is a
500 kept for the test as a BUG problem naming the server."""

from __future__ import annotations

import pytest

from mockplex.domain.problems import BUG, UNMATCHED
from mockplex.pms import dumps
from mockplex.web.environ import MEDIA_SERVER


def assert_page(response, status: int, phrase: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (f"<html><head><title>{phrase}</title></head>"
                             f"<body><h1>{status} {phrase}</h1></body></html>").encode()


@pytest.mark.parametrize("path", ["/nope", "/library/sections/1", "/library/metadata/101/children",
                                  "/api/v2/user", "/_mockplex/health", "/:/websockets"])
def test_a_path_with_no_route_is_not_found_and_unmatched(ask, store, path):
    assert_page(ask(path), 404, "Not Found")
    [problem] = store.problems.take()
    assert (problem.kind, problem.path, problem.server) == (UNMATCHED, path, "Home")
    assert "on the fake server 'Home'" in problem.describe()
    assert "Plex Media Server route" in problem.describe()
    [entry] = store.journal.entries()
    assert (entry.server, entry.matched, entry.status) == ("Home", False, 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_method_a_route_does_not_take_is_405_with_allow(ask, store, method):
    response = ask("/library/sections", method=method)
    assert_page(response, 405, "Method Not Allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert [problem.kind for problem in store.problems.take()] == [UNMATCHED]


def test_a_route_asked_for_no_live_server_is_not_found(pms, store, home, owner_token):
    client = pms.test_client()
    dead = store.add_server("Dead", connections=["http://127.0.0.1:1"])
    for environ in ({}, {MEDIA_SERVER: "0" * 40}, {MEDIA_SERVER: dead.machine_identifier},
                    {MEDIA_SERVER: ""}):
        for path in ("/identity", "/"):
            response = client.get(path, headers={"X-Plex-Token": owner_token},
                                  environ_overrides=environ)
            assert_page(response, 404, "Not Found")
    assert store.problems.take() == []  # the route is emulated: the server is missing


@pytest.mark.parametrize("value", ["x", "-1", "1e3", "1.5", "0x10", "9999999999", "", "٣",
                                   "1 2"])
@pytest.mark.parametrize("name", ["X-Plex-Container-Start", "X-Plex-Container-Size"])
def test_bad_paging_is_400_and_the_server_keeps_serving(ask, name, value):
    assert_page(ask("/library/sections/1/all", headers={name: value}), 400, "Bad Request")
    assert_page(ask("/library/sections/1/all", query_string={name: value}), 400,
                "Bad Request")
    assert ask("/library/sections/1/all").status_code == 200


@pytest.mark.parametrize("path", ["/library/sections/%FF/all", "/%00", "/library/../identity",
                                  "/" + "a" * 5000, "/library/sections/1/all?x=%ZZ&&=="])
def test_odd_paths_and_queries_are_answered_4xx_or_200(ask, path):
    response = ask(path)
    assert response.status_code in (200, 404), response.data
    assert b"Traceback" not in response.data


def test_headers_too_large_are_431_in_the_servers_shape(ask, pms):
    pms.config["MOCKPLEX_MAX_HEADER_BYTES"] = 1000
    assert_page(ask("/", headers={"X-Plex-Product": "p" * 2000}), 431,
                "Request Header Fields Too Large")


def test_a_body_over_the_cap_is_413(ask):
    response = ask("/", data=b"x" * (1024 * 1024 + 1),
                   headers={"Content-Type": "application/octet-stream"})
    assert_page(response, 413, "Request Entity Too Large")
    assert ask("/").status_code == 200


def test_a_foreign_host_is_refused_in_the_servers_shape(ask, store):
    assert_page(ask("/", headers={"Host": "rebound.example"}), 403, "Forbidden")
    assert store.problems.take() == []  # refused for its Host: no route was asked for
    assert [entry.server for entry in store.journal.entries()] == ["Home"]


def test_a_bug_is_a_500_kept_as_a_bug_naming_the_server(ask, store, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(dumps, "dump_sections", broken)
    assert_page(ask("/library/sections"), 500, "Internal Server Error")
    [problem] = store.problems.take()
    assert (problem.kind, problem.server, problem.path) == (BUG, "Home", "/library/sections")
    assert "RuntimeError: boom" in problem.detail
    assert "on the fake server 'Home'" in problem.describe()
    assert ask("/identity").status_code == 200  # and it keeps serving


def test_the_plex_tv_side_keeps_its_own_error_shape(client):
    response = client.get("/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["errors"][0]["code"] == 1904

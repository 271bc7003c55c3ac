"""The fake Plex Media Servers' app, asked in the process (the Flask test client, with
the server named in the environ as each way in names it), and python-plexapi pointed at
it through a requests adapter of the same kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import TestResponse

from mockplex import Store
from mockplex.app import pms_app_of
from mockplex.domain.servers import Server
from mockplex.web.environ import MEDIA_SERVER

LIBRARIES = [{"title": "Films", "type": "movie",
              "items": ["Heat", {"title": "Up", "year": 2009}]},
             {"title": "Series", "type": "show", "items": ["Dark"]},
             {"title": "Music", "type": "artist"},
             {"title": "Photos", "type": "photo", "items": ["Beach"]}]
JSON = {"Accept": "application/json"}


@pytest.fixture
def pms(app: Flask) -> Flask:
    return pms_app_of(app)


@pytest.fixture
def home(store: Store) -> Server:
    """A live server of the default account, with libraries of every type."""
    return store.add_server("Home", libraries=LIBRARIES)


@pytest.fixture
def owner_token(store: Store) -> str:
    return store.default_account.auth_token


Ask = Callable[..., TestResponse]


@pytest.fixture
def ask(pms: Flask, home: Server, owner_token: str) -> Ask:
    """``ask(path, token=..., server=..., method=..., headers=..., **kwargs)``: a request
    to ``server`` (Home by default) with the owner's token unless another is given
    (None: no token)."""
    client: FlaskClient = pms.test_client()

    def request(path: str, *, token: str | None = owner_token, server: Server = home,
                method: str = "GET", headers: dict[str, str] | None = None,
                **kwargs: Any) -> TestResponse:
        sent = dict(headers or {})
        if token is not None:
            sent["X-Plex-Token"] = token
        return client.open(path, method=method, headers=sent,
                           environ_overrides={MEDIA_SERVER: server.machine_identifier},
                           **kwargs)

    return request


class ToTheApp(BaseAdapter):
    """A requests transport that hands each request to ``app`` in the process, as made
    for ``server`` (the way a server's own listener hands it on)."""

    def __init__(self, app: Flask, server: Server) -> None:
        super().__init__()
        self.client = app.test_client()
        self.server = server

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(str(request.url))
        answer = self.client.open(
            url.path, method=request.method, query_string=url.query,
            headers=dict(request.headers), data=request.body,
            environ_overrides={MEDIA_SERVER: self.server.machine_identifier})
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.data
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = str(request.url)
        response.request = request
        response.reason = answer.status.partition(" ")[2]
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def session_for(pms: Flask) -> Callable[[Server], requests.Session]:
    """A requests session whose every request reaches ``server`` in the process."""

    def make(server: Server) -> requests.Session:
        session = requests.Session()
        session.mount("http://", ToTheApp(pms, server))
        return session

    return make

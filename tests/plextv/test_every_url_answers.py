"""Every URL the mock hands out on its own host answers: each GET route of plex.tv's side
and of the control API is called (JSON and XML, with its path parameters filled from a
state that has something of everything), and so are the answers of the sign-ins; every
absolute URL on the mock's host in any answer (and, in an HTML page, every link and
source it names) is fetched, and each must answer 200 with what it names: an image for a
picture or a QR code, a stylesheet or a script for a page's."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from mockplex.web import errors
from tests.values import HEADERS

BASE = "http://localhost"
URL = re.compile(r"""https?://[^\s"'<>\\]+""")
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
PAGES = ["/auth", "/link", "/_mockplex/"]  # the HTML a person opens
PNG = b"\x89PNG\r\n\x1a\n"
#: What each kind of URL the mock hands out must answer: (path pattern, mimetype, the
#: body's first bytes, or None).
CONTENT = [
    (re.compile(r"/users/[0-9a-f]+/avatar"), "image/png", PNG),
    (re.compile(r"/api/v2/pins/qr/\w+"), "image/png", PNG),
    (re.compile(r"/_mockplex/static/[\w.-]+\.css"), "text/css", None),
    (re.compile(r"/_mockplex/static/[\w.-]+\.js"), "text/javascript", None),
]


@pytest.fixture
def world(client, store):
    """Something of everything, and what fills each path parameter of a GET route."""
    alice = store.create_account("alice", email="alice@x.test", password="secret")
    store.create_account("bob", email="bob@x.test")
    store.create_account("kid", home_of="alice")
    server = store.add_server("Home", owner="alice", connections=["http://10.0.0.2:32400"])
    store.add_server("Spare", owner="alice", connections=["http://10.0.0.3:32400"])
    share = store.share("Home", "bob")
    store.invite("Spare", "bob")
    pin = client.post("/api/v2/pins.json", headers=HEADERS).get_json()
    store.approve(pin["id"], user="alice")
    client.get("/api/claim/token.json", headers={"X-Plex-Token": alice.auth_token})
    return alice, {"id": str(pin["id"]), "code": pin["code"], "uuid": alice.uuid,
                   "machine_id": server.machine_identifier, "share_id": str(share.id)}


def get_routes(app):
    with app.test_request_context():
        listed = errors.emulated_routes() + errors.control_routes()
    return sorted({route.split(" ", 1)[1] for route in listed if route.startswith("GET ")})


def fill(path, values):
    def value(match):
        name = match.group(1)
        assert name in values, f"the test has no value for <{name}> of {path}: add one"
        return values[name]
    return re.sub(r"<(\w+)>", value, path)


def urls_in(response):
    """The URLs on the mock's host in an answer: absolute ones anywhere, and in HTML
    every href and src, relative ones resolved."""
    if response.mimetype.startswith("image/"):
        return set()
    text = html.unescape(response.get_data(as_text=True))
    found = set(URL.findall(text))
    if response.mimetype == "text/html":
        found |= {urljoin(BASE + response.request.path, link) for link in LINK.findall(text)}
    return {url for url in found if urlsplit(url).netloc == urlsplit(BASE).netloc}


def test_every_url_the_mock_hands_out_answers(app, client, world):
    alice, values = world
    headers = {**HEADERS, "X-Plex-Token": alice.auth_token}
    answers = []
    for path in [*get_routes(app), *PAGES]:
        for accept in ("application/json", "application/xml"):
            answers.append(client.get(fill(path, values), headers={**headers, "Accept": accept},
                                      query_string={"includeHttps": 1, "includeRelay": 1}))
    answers.append(client.post("/api/v2/pins.json", headers=HEADERS))
    answers.append(client.post("/api/v2/users/signin.json", headers=HEADERS,
                               data={"login": "alice", "password": "secret"}))
    answers.append(client.post("/users/sign_in.xml", headers=HEADERS,
                               data={"user[login]": "alice", "user[password]": "secret"}))
    assert all(answer.status_code < 400 for answer in answers), [
        (answer.request.path, answer.status_code) for answer in answers
        if answer.status_code >= 400]
    handed_out = set().union(*(urls_in(answer) for answer in answers))
    assert any("/avatar" in url for url in handed_out)  # the collection found them
    assert any("/pins/qr/" in url for url in handed_out)
    broken = {}
    for url in sorted(handed_out):
        parts = urlsplit(url)
        kinds = [(kind, start) for pattern, kind, start in CONTENT
                 if pattern.fullmatch(parts.path)]
        assert kinds, f"the test knows no content for {url}: add it to CONTENT"
        [(kind, start)] = kinds
        answer = client.get(parts.path, query_string=parts.query, headers=headers)
        if (answer.status_code, answer.mimetype) != (200, kind) or not (
                start is None or answer.data.startswith(start)):
            broken[url] = (answer.status_code, answer.mimetype, answer.data[:16])
    assert broken == {}

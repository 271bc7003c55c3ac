"""The approval pages as served, QR codes, and auth_url."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from mockplex import auth_url, create_app
from tests.values import HEADERS

PLEXAPI_URL = ("https://app.plex.tv/auth/#!?clientID=abc&context%5Bdevice%5D%5Bproduct%5D=PlexAPI"
               "&code=abcdefghijklmnopqrstuvwxy&forwardUrl=http%3A%2F%2Fapp.test%2Fdone")


def decode(png: bytes) -> str:
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


@pytest.mark.parametrize("strong", [False, True])
def test_the_qr_code_decodes_to_the_mocks_link_page(client, new_pin, strong):
    pin = new_pin("?strong=1" if strong else "")
    response = client.get(pin["qr"].removeprefix("http://localhost"))
    assert (response.status_code, response.content_type) == (200, "image/png")
    assert decode(response.data) == f"http://localhost/link?pin={pin['code']}"


def test_the_qr_code_follows_the_configured_base_url():
    client = create_app({"MOCKPLEX_BASE_URL": "https://mock.example"}).test_client()
    pin = client.post("/api/v2/pins.json", headers=HEADERS).get_json()
    response = client.get(f"/api/v2/pins/qr/{pin['code']}")
    assert decode(response.data) == f"https://mock.example/link?pin={pin['code']}"


def test_the_qr_code_of_an_unknown_code_is_404_1020(client):
    response = client.get("/api/v2/pins/qr/NOPE", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["errors"][0]["code"] == 1020


@pytest.mark.parametrize("path", ["/auth", "/auth/", "/link", "/link?pin=AB12"])
def test_the_pages_load_only_from_the_mock(client, path):
    response = client.get(path)
    assert (response.status_code, response.mimetype) == (200, "text/html")
    html = response.data.decode()
    assert '<html lang="en">' in html
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    for asset in re.findall(r"""(?:src|href)=["']([^"']+)""", html):
        if not asset.startswith("data:"):  # the empty icon, which loads nothing
            assert client.get(asset).status_code == 200, asset


def test_link_is_prefilled_from_pin(client):
    assert 'value="AB12"' in client.get("/link?pin=AB12").data.decode()
    assert 'value="&lt;b&gt;"' in client.get("/link?pin=<b>").data.decode()


def test_every_control_on_the_pages_has_a_label(client):
    for path in ("/auth", "/link"):
        html = client.get(path).data.decode()
        for control_id in re.findall(r"<(?:select|input)[^>]*\bid=\"([^\"]+)\"", html):
            assert f'<label for="{control_id}">' in html, (path, control_id)


@pytest.mark.parametrize(("url", "expected"), [
    (PLEXAPI_URL, "http://127.0.0.1:5000/auth/#!?" + PLEXAPI_URL.split("#!?")[1]),
    ("https://app.plex.tv/auth#?code=X&clientID=y", "http://127.0.0.1:5000/auth#?code=X&clientID=y"),
    ("https://app.plex.tv/auth#!?code=X", "http://127.0.0.1:5000/auth#!?code=X"),
    ("https://plex.tv/link?pin=AB12", "http://127.0.0.1:5000/link?pin=AB12"),
])
def test_auth_url_moves_the_url_onto_the_mock(url, expected):
    assert auth_url(url, "http://127.0.0.1:5000/") == expected


@pytest.mark.parametrize("url", ["https://example.com/auth#?code=X", "https://app.plex.tv/web",
                                 "not a url"])
def test_auth_url_refuses_other_urls(url):
    with pytest.raises(ValueError, match=r"not a plex\.tv approval URL"):
        auth_url(url, "http://127.0.0.1:5000")


def test_the_handle_moves_urls_onto_its_live_server(mockplex):
    assert mockplex.auth_url(PLEXAPI_URL).startswith(mockplex.url + "/auth/#!?clientID=abc")
    with mockplex.intercept() as plex:
        assert plex.auth_url(PLEXAPI_URL).startswith(mockplex.url + "/auth/#!?")

"""A real headless Chromium sent through the proxy opens the very
``https://app.plex.tv/auth#?...`` URL python-plexapi built and approves the pin on the
mock. It trusts mockplex's CA for real, through its NSS database (``certutil``), never
by ignoring certificate errors: the same browser without the CA refuses the page.

In CI these must run: a missing Chromium or certutil fails there. Locally they skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from plexapi.myplex import MyPlexPinLogin

from tests.conftest import require
from tests.values import CHROMIUM, CHROMIUM_ARGS


def trusting_home(folder: Path, ca_path: Path | None) -> Path:
    """A home folder whose NSS database (Chromium's on Linux) trusts ``ca_path`` as a
    root for web sites; an empty database when it is None."""
    database = folder / ".pki" / "nssdb"
    database.mkdir(parents=True)
    certutil = ["certutil", "-d", f"sql:{database}"]
    subprocess.run([*certutil, "-N", "--empty-password"], check=True, timeout=30)
    if ca_path is not None:
        subprocess.run([*certutil, "-A", "-t", "C,,", "-n", "mockplex", "-i", str(ca_path)],
                       check=True, timeout=30)
    return folder


@pytest.fixture(scope="module")
def playwright() -> Iterator:
    require(f"Chromium at {CHROMIUM} (apt-get install chromium)", not Path(CHROMIUM).exists())
    require("certutil (apt-get install libnss3-tools)", shutil.which("certutil") is None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def launch(playwright, proxy, home: Path):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, proxy={"server": proxy.url},
        env={"HOME": str(home), "PATH": os.environ["PATH"]})


@pytest.fixture
def plex(mockplex, monkeypatch):
    monkeypatch.setattr(MyPlexPinLogin, "POLLINTERVAL", 0.01)
    with mockplex.intercept() as plex:
        yield plex


def test_chromium_approves_on_the_real_looking_app_plex_tv_url(playwright, plex,
                                                                mockplex_proxy, tmp_path):
    alice = plex.create_user("alice", title="Alice")
    login = MyPlexPinLogin(oauth=True)
    url = login.oauthUrl()  # https://app.plex.tv/auth/#!?clientID=...&code=...
    assert url.startswith("https://app.plex.tv/auth/#!?clientID=")
    browser = launch(playwright, mockplex_proxy, trusting_home(tmp_path, mockplex_proxy.ca_path))
    try:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url))
        page.goto(url)
        page.get_by_role("heading", name="PlexAPI wants to sign in with Plex").wait_for()
        page.get_by_label("Approve as").select_option(label="Alice (alice)")
        page.get_by_role("button", name="Approve").click()
        page.get_by_role("status").wait_for()
        assert page.url == url
    finally:
        browser.close()
    assert login.checkLogin() is True and login.token == alice.auth_token
    assert {request.split("/")[2] for request in seen} == {"app.plex.tv"}


def test_without_the_ca_chromium_refuses_the_page(playwright, mockplex_proxy, tmp_path):
    from playwright.sync_api import Error

    browser = launch(playwright, mockplex_proxy, trusting_home(tmp_path, None))
    try:
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            browser.new_page().goto("https://app.plex.tv/auth", timeout=15_000)
    finally:
        browser.close()

"""A real headless Chromium sent through the proxy opens the very
``https://app.plex.tv/auth#?...`` URL python-plexapi built and approves the pin on the
mock. It trusts mockplex's CA for real, through its NSS database (``certutil``), never
by ignoring certificate errors: a Chromium without the CA (the suite's own) refuses the
page.

In CI these must run: a missing Chromium or certutil fails there. Locally they skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from plexapi.myplex import MyPlexPinLogin

from tests.conftest import require
from tests.values import CHROMIUM, CHROMIUM_ARGS


def trusting_home(folder: Path, ca_path: Path) -> Path:
    """A home folder whose NSS database (Chromium's on Linux) trusts ``ca_path`` as a
    root for web sites."""
    database = folder / ".pki" / "nssdb"
    database.mkdir(parents=True)
    certutil = ["certutil", "-d", f"sql:{database}"]
    subprocess.run([*certutil, "-N", "--empty-password"], check=True, timeout=30)
    subprocess.run([*certutil, "-A", "-t", "C,,", "-n", "mockplex", "-i", str(ca_path)],
                   check=True, timeout=30)
    return folder


def launch_trusting(playwright, proxy, folder: Path):
    """A Chromium of its own, sent through ``proxy`` and trusting its CA: the trust comes
    from the NSS database in $HOME, which Chromium reads at launch (no context can have
    a CA of its own, and ignoring certificate errors would prove nothing)."""
    require("certutil (apt-get install libnss3-tools)", shutil.which("certutil") is None)
    home = trusting_home(folder, proxy.ca_path)
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
    browser = launch_trusting(playwright, mockplex_proxy, tmp_path)
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


def test_without_the_ca_chromium_refuses_the_page(new_context, mockplex_proxy):
    """The suite's Chromium, through the proxy in a context of its own: the session's CA
    was made for this session, so no NSS database can trust it."""
    from playwright.sync_api import Error

    page = new_context(proxy={"server": mockplex_proxy.url}).new_page()
    with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
        page.goto("https://app.plex.tv/auth", timeout=15_000)

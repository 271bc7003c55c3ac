"""An unchanged Python program: python-plexapi's PIN login, then an httpx call, to
https://plex.tv. Run with nothing but the variables of mockplex's env file, it reaches
the mock through the proxy. Prints the pin as a JSON line, waits for a line on stdin
(the human step, done by the test), then prints what it got as a JSON line."""

import json
import sys

import httpx
from plexapi.myplex import MyPlexAccount, MyPlexPinLogin

HEADERS = {"X-Plex-Client-Identifier": "unchanged-python-app", "X-Plex-Product": "Unchanged"}

login = MyPlexPinLogin(headers=HEADERS)
code = login.pin  # POST https://plex.tv/api/v2/pins
print(json.dumps({"pinId": login._id, "code": code}), flush=True)
sys.stdin.readline()
assert login.checkLogin(), "the pin is not approved"  # GET https://plex.tv/api/v2/pins/<id>
account = MyPlexAccount(token=login.token)  # GET https://plex.tv/api/v2/user
user = httpx.get("https://plex.tv/api/v2/user", headers={  # trust_env: proxy and CA
    **HEADERS, "X-Plex-Token": login.token, "Accept": "application/json"})
print(json.dumps({"token": login.token, "plexapi": account.username,
                  "httpx": [user.status_code, user.json()["username"]]}), flush=True)

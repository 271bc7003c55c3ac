"""An unchanged Python program: a set-up wizard's steps with python-plexapi, from a
token to the first library. Run with nothing but the variables of mockplex's env file:
plex.tv and the server's plex.direct names go through the proxy (trusting mockplex's
CA), its loopback address straight to the server. Prints what it read as a JSON line.

Usage: python_setup_wizard.py MODE TOKEN SERVER_NAME, where MODE is

- ``owner``: the account owns the server: connect, read the sections and the accounts;
- ``friend``: the server is shared with the account: connect (plexapi tries only the
  remote connections of a server it does not own), read the sections;
- ``wrong-token``: reach the server's first connection with a token that opens nothing
  (``{"raised": "Unauthorized"}`` when plexapi raises that);
- ``dead``: connect to a server none of whose connections answers
  (``{"raised": "NotFound"}`` when plexapi raises that).
"""

import json
import sys

from plexapi.exceptions import PlexApiException
from plexapi.myplex import MyPlexAccount
from plexapi.server import PlexServer

TIMEOUT = 10
WRONG_TOKEN = "not-a-token-of-anyone"


def connected(resource):
    """What a wizard reads once connected: ``resource.connect`` asks ``GET /`` on every
    connection and keeps the first (in plexapi's order) that answers."""
    server = resource.connect(timeout=TIMEOUT)
    read = {"baseurl": server._baseurl, "machineIdentifier": server.machineIdentifier,
            "friendlyName": server.friendlyName,
            "sections": [[section.title, section.type]
                         for section in server.library.sections()]}
    if resource.owned:  # /accounts is the owner's
        read["accounts"] = [system.name for system in server.systemAccounts()]
    return read


def raised(step):
    """The name of the plexapi exception ``step()`` raises, None if it raises none."""
    try:
        step()
    except PlexApiException as error:
        return type(error).__name__
    return None


def main(mode, token, name):
    account = MyPlexAccount(token=token)  # GET https://plex.tv/api/v2/user
    resource = account.resource(name)  # GET https://plex.tv/api/v2/resources
    if mode in ("owner", "friend"):
        return {"owned": resource.owned, **connected(resource)}
    if mode == "wrong-token":
        [first, *_] = resource.preferred_connections()
        return {"baseurl": first, "raised": raised(
            lambda: PlexServer(first, WRONG_TOKEN, timeout=TIMEOUT))}
    if mode == "dead":
        return {"raised": raised(lambda: resource.connect(timeout=TIMEOUT))}
    raise SystemExit(f"no mode {mode!r}: owner, friend, wrong-token or dead")


print(json.dumps(main(*sys.argv[1:4])), flush=True)

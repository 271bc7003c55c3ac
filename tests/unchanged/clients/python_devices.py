"""An unchanged Python program: python-plexapi's password sign-in, then the account's
devices, a claim token and the account's picture, run with nothing but the variables of
mockplex's env file (plex.tv through the proxy, trusting mockplex's CA). Prints what it
saw as a JSON line.

Usage: python_devices.py USERNAME PASSWORD CLIENT_ID: signs in as that client
(``X-Plex-Client-Identifier``), lists ``devices()``, asks ``claimToken()``, fetches the
account's ``thumb``, and deletes its own device.
"""

import json
import sys

import plexapi
import requests
from plexapi.myplex import MyPlexAccount

TIMEOUT = 10


def main(username, password, client_id):
    plexapi.X_PLEX_IDENTIFIER = client_id
    plexapi.BASE_HEADERS["X-Plex-Client-Identifier"] = client_id
    account = MyPlexAccount(username, password, timeout=TIMEOUT)
    devices = account.devices()
    picture = requests.get(account.thumb, timeout=TIMEOUT)  # the proxy, from the env
    seen = {"devices": [[d.name, d.provides, d.clientIdentifier] for d in devices],
            "claim": account.claimToken(),
            "thumb": [account.thumb.split("/")[2], picture.status_code,
                      picture.headers["Content-Type"], picture.content[:8].hex()]}
    next(d for d in devices if d.clientIdentifier == client_id).delete()
    seen["after"] = [d.clientIdentifier for d in account.devices()]
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:])

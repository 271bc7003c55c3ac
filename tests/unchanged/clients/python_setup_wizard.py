"""An unchanged Python program: a set-up wizard's steps with python-plexapi, from a
token to the first library. Run with nothing but the variables of mockplex's env file:
plex.tv and the server's plex.direct names go through the proxy (trusting mockplex's
CA), its loopback address straight to the server. Prints what it read as a JSON line.

Usage: python_setup_wizard.py TOKEN SERVER_NAME
"""

import json
import sys

from plexapi.myplex import MyPlexAccount

token, name = sys.argv[1:3]
account = MyPlexAccount(token=token)  # GET https://plex.tv/api/v2/user
resource = account.resource(name)  # GET https://plex.tv/api/v2/resources
server = resource.connect(timeout=10)  # GET / on every connection, the first kept
print(json.dumps({
    "baseurl": server._baseurl, "machineIdentifier": server.machineIdentifier,
    "friendlyName": server.friendlyName,
    "sections": [[section.title, section.type] for section in server.library.sections()],
    "accounts": [system.name for system in server.systemAccounts()],
}), flush=True)

"""An unchanged Python program: python-plexapi's Plex Home calls to https://plex.tv, as
the home's owner (its token the first argument, a server's machine identifier the
second). Run with nothing but the variables of mockplex's env file, it reaches the mock
through the proxy. It creates a managed user, lists the users, switches to a protected
one with its PIN, with a wrong PIN and with none, switches to the new one, removes it,
and prints what it saw as one JSON line."""

import json
import sys

from plexapi.exceptions import Unauthorized
from plexapi.myplex import MyPlexAccount

token, machine_id = sys.argv[1:3]
owner = MyPlexAccount(token=token)  # GET https://plex.tv/api/v2/user
owner.createHomeUser("Bobby", machine_id)  # POST /api/home/users?title=Bobby, its share
users = {user.title: [user.home, user.protected] for user in owner.users()}  # /api/users
with_pin = owner.switchHomeUser("kid", pin="1234")  # POST /api/home/users/<id>/switch
refused = []
for pin in ("0000", None):
    try:
        owner.switchHomeUser("kid", pin=pin)
    except Unauthorized as error:
        refused.append(str(error))
bobby = owner.switchHomeUser("Bobby")
owner.removeHomeUser("Bobby")  # DELETE /api/home/users/<id>
print(json.dumps({"users": users, "kid": [with_pin.title, with_pin.authenticationToken],
                  "refused": refused, "bobby": bobby.title,
                  "after": sorted(user.title for user in owner.users())}), flush=True)
